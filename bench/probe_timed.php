<?php
// Times the probe from inside the worker: prepended instead of the probe, it includes the
// probe named by FPMSCOPE_BENCH_PROBE and logs, per request, the nanoseconds spent in the
// probe's start (include + begin) and in its finisher, to FPMSCOPE_BENCH_TIMES.
// Used by bench/probe_cost.py; not part of fpmscope.

namespace FpmscopeBench;

final class Timer
{
    public static $t0 = 0;
    public static $begin = 0;
    public static $before = 0;

    // Runs after the probe's own shutdown function, which queued the finisher behind this one.
    public static function queued()
    {
        \register_shutdown_function([__CLASS__, 'after']);
        self::$before = \hrtime(true);
    }

    public static function after()
    {
        $finish = \hrtime(true) - self::$before;
        \file_put_contents((string) \getenv('FPMSCOPE_BENCH_TIMES'), self::$begin . "\t" . $finish . "\n", \FILE_APPEND);
    }
}

Timer::$t0 = \hrtime(true);
include (string) \getenv('FPMSCOPE_BENCH_PROBE');
Timer::$begin = \hrtime(true) - Timer::$t0;
\register_shutdown_function([Timer::class, 'queued']);

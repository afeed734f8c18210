<?php
// fpmscope probe, record format 1. Enabled with auto_prepend_file; see `fpmscope probe ini`.
//
// It measures the worker around each request and appends one tab-separated line to the log
// named by FPMSCOPE_LOG (pool `env[]`, or `fpmscope.log` in php.ini). It must stay invisible
// to the application: no output, no headers, no warnings, no global variables, nothing that
// throws. Every failure is swallowed here, and recorded in the line's `flags` field when the
// line itself can still be written. Only PHP 7.1 syntax and functions, feature-detected.

namespace Fpmscope;

final class Probe
{
    /** @var array<int, mixed>|null measures taken at request start */
    public static $start = null;
    /** @var string prepend file to run after ours (set by `fpmscope install`) */
    public static $chain = '';
    /** @var bool whether the line was written (or given up) for this request */
    public static $done = false;
    /** @var resource|false /proc/self/statm, opened once and re-read at the end */
    public static $statm = false;
    /** @var string missing measures, one letter each */
    public static $flags = '';
    /** @var string|null route name set by the application through tag() */
    public static $tag = null;
    /** @var Guard|null */
    public static $guard = null;

    public static function begin()
    {
        self::$chain = (string) (\getenv('FPMSCOPE_CHAIN') ?: '');
        if (\PHP_SAPI === 'cli' || \PHP_SAPI === 'phpdbg') {
            if (\getenv('FPMSCOPE_CLI') !== '1') {
                self::$done = true;
                return;
            }
        }
        $t0 = \function_exists('hrtime') ? \hrtime(true) : (int) (\microtime(true) * 1e9);
        $ru = \function_exists('getrusage') ? \getrusage() : null;
        $mem = self::statm(true);
        // Request facts come from getenv(), which under FPM reads the FastCGI parameters. The
        // probe never names $_SERVER: a script that mentions it anywhere, even in a branch not
        // taken, makes PHP build that array on every request (auto_globals_jit, pinged by
        // opcache), which cost more worker CPU than all the rest of the probe's PHP code.
        $ts = \microtime(true);
        $method = (string) \getenv('REQUEST_METHOD');
        $uri = (string) \getenv('REQUEST_URI');
        $script = (string) \getenv('SCRIPT_FILENAME');
        if ($script === '') {
            // CLI: the primary script is the first included file, listed before this one.
            $files = \get_included_files();
            $script = $files[0] !== __FILE__ ? $files[0] : '';
        }
        $id = \getenv('HTTP_X_REQUEST_ID');
        $id = $id !== false ? $id : (string) \getenv('REQUEST_ID');
        $q = \strpos($uri, '?');
        if ($q !== false) {
            $uri = self::query(\substr($uri, 0, $q), \substr($uri, $q + 1));
        }
        self::$start = [
            $t0,
            $ts,
            $ru,
            $mem,
            \memory_get_usage(),
            \memory_get_usage(true),
            $method,
            $uri,
            $script,
            $id,
            self::workerStart(),
        ];
        // Ours runs first; it re-registers the real finisher so that it runs after the
        // application's own shutdown functions. The guard's destructor is the fallback when an
        // application shutdown function calls exit() and cuts that chain.
        \register_shutdown_function([__CLASS__, 'shutdown']);
        self::$guard = new Guard();
    }

    public static function shutdown()
    {
        \register_shutdown_function([__CLASS__, 'finish'], 'ok');
    }

    /** Lets the application name the route of this request (`\Fpmscope\Probe::tag('x')`). */
    public static function tag($name)
    {
        self::$tag = (string) $name;
    }

    /** @return array<int, int>|null [rss, anon, shared] in bytes */
    private static function statm($open)
    {
        if ($open) {
            self::$statm = @\fopen('/proc/self/statm', 'rb');
        } elseif (self::$statm !== false) {
            @\rewind(self::$statm);
        }
        $s = self::$statm !== false ? @\fread(self::$statm, 128) : false;
        if ($s === false || $s === '') {
            self::$flags .= 'm';
            return null;
        }
        $f = \explode(' ', $s, 4);
        if (\count($f) < 3) {
            self::$flags .= 'm';
            return null;
        }
        // statm counts pages; 4 KiB on every platform PHP-FPM runs on in practice.
        return [(int) $f[1] * 4096, ((int) $f[1] - (int) $f[2]) * 4096, (int) $f[2] * 4096];
    }

    /** Field 22 of /proc/self/stat: the worker's start time in clock ticks since boot. */
    private static function workerStart()
    {
        $s = @\file_get_contents('/proc/self/stat', false, null, 0, 512);
        if ($s === false) {
            self::$flags .= 's';
            return '';
        }
        $p = \strrpos($s, ')');
        $f = \explode(' ', \substr($s, $p + 2), 21);
        return isset($f[19]) ? $f[19] : '';
    }

    private static function query($path, $query)
    {
        $keep = \getenv('FPMSCOPE_QUERY');
        if ($keep !== '1') {
            return $path;
        }
        $out = [];
        foreach (\explode('&', $query) as $pair) {
            $eq = \strpos($pair, '=');
            $key = $eq === false ? $pair : \substr($pair, 0, $eq);
            if ($eq !== false && \preg_match('/pass|secret|token|key|auth|sess|sig|cred|otp|code/i', \rawurldecode($key))) {
                $pair = $key . '=REDACTED';
            }
            $out[] = $pair;
        }
        return $path . '?' . \implode('&', $out);
    }

    /** One line, always: C-style escapes for control bytes and backslash, \xHH for bad UTF-8. */
    private static function clean($s, $cap)
    {
        if (\strlen($s) > $cap) {
            $s = \substr($s, 0, $cap);
            self::$flags .= 't';
        }
        // The common case in one PCRE call: valid UTF-8 with nothing to escape (0; 1 when a byte
        // needs escaping, false for invalid UTF-8). strcspn with this mask is several times slower.
        if (\preg_match('/[\x00-\x1f\x7f\\\\]/u', $s) === 0) {
            return $s;
        }
        if (\strcspn($s, "\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") !== \strlen($s)) {
            $s = \addcslashes($s, "\0..\37\\\177");
        }
        if (\preg_match('//u', $s) !== 1) {
            $s = \preg_replace_callback('/[\x80-\xff]/', function ($m) {
                return \sprintf('\\x%02x', \ord($m[0]));
            }, $s);
        }
        return $s;
    }

    public static function finish($outcome)
    {
        if (self::$done || self::$start === null) {
            return;
        }
        self::$done = true;
        $error = \error_get_last();
        if ($error !== null && ($error['type'] & (\E_ERROR | \E_CORE_ERROR | \E_COMPILE_ERROR | \E_USER_ERROR | \E_PARSE | \E_RECOVERABLE_ERROR))) {
            $msg = (string) $error['message'];
            if (\strncmp($msg, 'Allowed memory size', 19) === 0) {
                $outcome = 'oom';
            } elseif (\strncmp($msg, 'Maximum execution time', 22) === 0) {
                $outcome = 'timeout';
            } else {
                $outcome = 'fatal';
            }
        }
        $s = self::$start;
        $t1 = \function_exists('hrtime') ? \hrtime(true) : (int) (\microtime(true) * 1e9);
        $ru = \function_exists('getrusage') ? \getrusage() : null;
        $mem = self::statm(false);
        if (self::$statm !== false) {
            @\fclose(self::$statm);
        }
        $r0 = $s[2];
        if ($ru !== null && $r0 !== null) {
            $cpuUser = ($ru['ru_utime.tv_sec'] - $r0['ru_utime.tv_sec']) * 1000000 + $ru['ru_utime.tv_usec'] - $r0['ru_utime.tv_usec'];
            $cpuSys = ($ru['ru_stime.tv_sec'] - $r0['ru_stime.tv_sec']) * 1000000 + $ru['ru_stime.tv_usec'] - $r0['ru_stime.tv_usec'];
        } else {
            $cpuUser = $cpuSys = '';
            self::$flags .= 'c';
        }
        $m0 = $s[3];
        $status = \http_response_code();
        $pool = \getenv('FPMSCOPE_POOL');
        $line = \implode("\t", [
            'fpms1',
            self::clean((string) \gethostname(), 255),
            self::clean($pool === false ? '' : $pool, 255),
            \getmypid(),
            $s[10],
            \sprintf('%.6f', $s[1]),
            (int) (($t1 - $s[0]) / 1000),
            $cpuUser,
            $cpuSys,
            $m0 === null ? '' : $m0[0],
            $mem === null ? '' : $mem[0],
            $m0 === null ? '' : $m0[1],
            $mem === null ? '' : $mem[1],
            $m0 === null ? '' : $m0[2],
            $mem === null ? '' : $mem[2],
            $s[4],
            \memory_get_usage(),
            \memory_get_peak_usage(),
            $s[5],
            \memory_get_peak_usage(true),
            $status === false ? '' : $status,
            self::clean($s[6], 32),
            self::clean($s[7], 2048),
            self::clean($s[8], 1024),
            self::clean($s[9], 128),
            \count(\get_included_files()),
            $outcome,
            self::$tag === null ? '' : self::clean(self::$tag, 255),
            self::$flags,
        ]) . "\n";
        $path = \getenv('FPMSCOPE_LOG');
        if ($path === false || $path === '') {
            $path = (string) \get_cfg_var('fpmscope.log');
        }
        if ($path !== '') {
            @\file_put_contents($path, $line, \FILE_APPEND);
        }
    }
}

/** Writes the line when exit() inside an application shutdown function skipped our finisher. */
final class Guard
{
    public function __destruct()
    {
        Probe::finish('exit');
    }
}

Probe::begin();
if (Probe::$chain !== '') {
    include Probe::$chain;
}

<?php
// Where a probe's time goes: each piece a probe might use, run N times inside php-fpm, timed
// with hrtime. Served by bench/probe_pieces.py (or any FPM pool): GET /probe_pieces.php?n=2000.
// Prints one "name<TAB>ns per call" line per piece.

$n = isset($_GET['n']) ? max(1, (int) $_GET['n']) : 2000;
$log = sys_get_temp_dir() . '/fpmscope-pieces-' . getmypid() . '.log';
$line = str_repeat('x', 250) . "\n";
$out = [];

function clean_like($s)
{
    if (strcspn($s, "\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") !== strlen($s)) {
        $s = addcslashes($s, "\0..\37\\\177");
    }
    if (preg_match('//u', $s) !== 1) {
        $s = 'bad';
    }
    return $s;
}

$pieces = [
    'empty loop' => function () {
    },
    'hrtime' => function () {
        return hrtime(true);
    },
    'microtime' => function () {
        return microtime(true);
    },
    'getrusage' => function () {
        return getrusage();
    },
    'memory_get_usage x4' => function () {
        return memory_get_usage() + memory_get_usage(true) + memory_get_peak_usage() + memory_get_peak_usage(true);
    },
    'fopen+fread+fclose statm' => function () {
        $f = fopen('/proc/self/statm', 'rb');
        $s = fread($f, 128);
        fclose($f);
        return $s;
    },
    'file_get_contents statm' => function () {
        return file_get_contents('/proc/self/statm');
    },
    'file_get_contents stat 512' => function () {
        return file_get_contents('/proc/self/stat', false, null, 0, 512);
    },
    'file_get_contents status' => function () {
        return file_get_contents('/proc/self/status');
    },
    'gethostname' => function () {
        return gethostname();
    },
    'php_uname n' => function () {
        return php_uname('n');
    },
    'getenv x1' => function () {
        return getenv('FPMSCOPE_LOG');
    },
    'get_cfg_var' => function () {
        return get_cfg_var('fpmscope.log');
    },
    'getmypid' => function () {
        return getmypid();
    },
    'count(get_included_files())' => function () {
        return count(get_included_files());
    },
    'clean() ascii uri' => function () {
        return clean_like('/orders/12345/invoice');
    },
    'preg_match //u only' => function () {
        return preg_match('//u', '/orders/12345/invoice');
    },
    'strcspn only' => function () {
        return strcspn('/orders/12345/invoice', "\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");
    },
    'mb_check_encoding' => function () {
        return function_exists('mb_check_encoding') ? mb_check_encoding('/orders/12345/invoice', 'UTF-8') : null;
    },
    'sprintf %.6f' => function () {
        return sprintf('%.6f', 1764190000.123456);
    },
    'implode 29 fields' => function () {
        return implode("\t", array_fill(0, 29, '12345678')) . "\n";
    },
    'error_get_last+http_response_code' => function () {
        return [error_get_last(), http_response_code()];
    },
    'function_exists' => function () {
        return function_exists('hrtime');
    },
    'file_put_contents append' => function () use ($log, $line) {
        return file_put_contents($log, $line, FILE_APPEND);
    },
    'fopen a+fwrite+fclose' => function () use ($log, $line) {
        $f = fopen($log, 'ab');
        fwrite($f, $line);
        fclose($f);
    },
    'error_log type 3' => function () use ($log, $line) {
        return error_log($line, 3, $log);
    },
    'register_shutdown_function' => function () {
        register_shutdown_function('strlen', '');
    },
];

foreach ($pieces as $name => $fn) {
    $fn();
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $fn();
    }
    $out[$name] = (hrtime(true) - $t) / $n;
}
@unlink($log);
foreach ($out as $name => $ns) {
    printf("%s\t%.0f\n", $name, $name === 'empty loop' ? $ns : $ns - $out['empty loop']);
}

<?php
// fpmscope probe, record format 2. Enabled with auto_prepend_file; see `fpmscope probe ini`.
//
// It measures the worker around each request and appends one tab-separated line to the log
// named by FPMSCOPE_LOG (pool `env[]`, or `fpmscope.log` in php.ini). It must stay invisible
// to the application: no output, no headers, no warnings, no global variables, nothing that
// throws. Every failure is swallowed here, and recorded in the line's `flags` field when the
// line itself can still be written. Only PHP 7.1 syntax and functions, feature-detected
// (opcache folds `function_exists()` of a built-in function into a constant: those checks
// cost nothing per request).

namespace Fpmscope;

// Worker sampling (FPMSCOPE_SAMPLE, e.g. 0.25): a quarter of the workers measure every request
// and the others none (the analysis needs a worker's consecutive requests). The choice is a hash
// of the pid, the same on every request of a worker; a worker that replaces it draws again. The
// hash multiplies by 6181 modulo 10000 (coprime, so every residue is hit once): the workers a
// master forks one after another have consecutive pids, which it spreads over the whole range
// (the same pid mod 10000 would pick them in runs); both operands stay below 2^31.
// The choice is made before anything is declared: with opcache, the classes of a file are bound
// as it is loaded unless their declaration is conditional, so a worker left out pays for this
// test, a stub class and the chained prepend's lookup, not for the probe. Unset or '': every
// worker. No variable here: a prepend runs in the application's global scope.
if (!\function_exists('getenv') || (string) \getenv('FPMSCOPE_SAMPLE') === '' || !\function_exists('getmypid')
    || \getmypid() % 10000 * 6181 % 10000 < 10000 * (float) \getenv('FPMSCOPE_SAMPLE')) {
    final class Probe
    {
        /** Bytes of memory held for the finisher (see begin()). */
        const RESERVE = 32768;

        /** @var array<int, mixed>|null measures and request facts taken at request start */
        public static $start = null;
        /** @var string prepend file to run after ours, when getenv() is disabled (else read at the end of this file) */
        public static $chain = '';
        /** @var bool whether the line was written (or given up) for this request */
        public static $done = false;
        /** @var resource|false /proc/self/statm, opened once and re-read at the end */
        public static $statm = false;
        /** @var string missing measures, one letter each */
        public static $flags = '';
        /** @var string|null route name set by the application through tag() */
        public static $tag = null;
        /** @var string outcome when only the guard's destructor finishes (no shutdown function ran) */
        public static $fallback = '';
        /** @var Guard|null */
        public static $guard = null;
        /** @var string|null memory held for the finisher when statm's buffer cannot be */
        public static $reserve = null;
        /** @var string|null memory held for re-registering the finisher */
        public static $spare = null;
        /** @var string|false statm's line at the start, held until the end's read takes its slot */
        public static $line = false;
        /** @var string the sampled share of workers (FPMSCOPE_SAMPLE), logged as flag `s<share>` */
        public static $sample = '';

        /**
         * Settings (the pool's env[] values) and request facts come from getenv(), which under FPM
         * reads the FastCGI parameters, then the process environment. The probe never names
         * $_SERVER: a script that mentions it anywhere, even in a branch not taken, makes PHP
         * build that array on every request (auto_globals_jit, pinged by opcache), which costs
         * more worker CPU than the rest of the probe's PHP code. Only where getenv() is disabled
         * is $_SERVER read (server()), so that an app's chained prepend still runs.
         *
         * Everything of the request's start is in this one method: each call of a PHP function
         * costs a frame, and each static property a lookup.
         */
        public static function begin()
        {
            $getenv = \function_exists('getenv');
            if (!$getenv) {
                self::$chain = self::server('FPMSCOPE_CHAIN');
            }
            if (\PHP_SAPI === 'cli' || \PHP_SAPI === 'phpdbg') {
                if (($getenv ? (string) \getenv('FPMSCOPE_CLI') : self::server('FPMSCOPE_CLI')) !== '1') {
                    self::$done = true;
                    return;
                }
            }
            $sample = $getenv ? (string) \getenv('FPMSCOPE_SAMPLE') : self::server('FPMSCOPE_SAMPLE');
            if ($sample !== '') {
                $share = (float) $sample;
                // The test at the top of the file hashed the pid when it could: here the shares
                // it let through without hashing, and the hash where getenv() is disabled.
                if ($share < 1.0 && ($share <= 0.0 || !\function_exists('getmypid')
                    || (!$getenv && \getmypid() % 10000 * 6181 % 10000 >= $share * 10000))) {
                    self::$done = true;
                    return;
                }
                self::$sample = $share < 1.0 ? 's' . $share : '';
            }
            try {
                $log = $getenv ? (string) \getenv('FPMSCOPE_LOG') : self::server('FPMSCOPE_LOG');
                if ($log === '' && \function_exists('get_cfg_var')) {
                    $log = (string) \get_cfg_var('fpmscope.log');
                }
                if ($log === '') {
                    // Nowhere to write: measuring would cost the request for nothing.
                    self::$done = true;
                    return;
                }
                $t0 = \function_exists('hrtime') ? \hrtime(true) : (int) (\microtime(true) * 1e9);
                $ru = \function_exists('getrusage') ? \getrusage() : null;
                // Zend's counters before the reserve (the statm stream's buffer) is taken.
                $z0 = \function_exists('memory_get_usage') ? \memory_get_usage() : '';
                $zr0 = \function_exists('memory_get_usage') ? \memory_get_usage(true) : '';
                // /proc/self/statm stays open until the end of the request, which reads it again.
                // Every stream function it needs, or none: in PHP 8 calling a disabled one throws.
                $fp = \function_exists('fopen') && \function_exists('fgets') && \function_exists('rewind')
                    && \function_exists('fclose') ? @\fopen('/proc/self/statm', 'rb') : false;
                $reserved = false;
                if ($fp !== false && \function_exists('stream_set_chunk_size')) {
                    // The reserve (see Probe::RESERVE): the stream's read buffer, allocated by the
                    // first read, never written beyond the line, so it costs no memset.
                    $reserved = @\stream_set_chunk_size($fp, self::RESERVE) !== false;
                }
                // fgets stops at the line end (fread would issue a second read() to find the end
                // of file); 48 bytes hold the three fields used, and a line of half that or more is
                // not copied again into a shorter string.
                $line = $fp !== false ? @\fgets($fp, 48) : false;
                self::$statm = $fp;
                self::$line = $line;
                $ts = \microtime(true);
                // --- The request's identity: what the analyzer groups into endpoints (method, URI,
                // script, request id; the route tag comes from tag() and is read in write()).
                $uri = $getenv ? (string) \getenv('REQUEST_URI') : self::server('REQUEST_URI');
                $script = $getenv ? (string) \getenv('SCRIPT_FILENAME') : self::server('SCRIPT_FILENAME');
                if ($script === '' && \function_exists('get_included_files')) {
                    // CLI: the primary script is the first included file, listed before this one.
                    $files = \get_included_files();
                    $script = $files[0] !== __FILE__ ? $files[0] : '';
                }
                $id = $getenv ? (string) \getenv('HTTP_X_REQUEST_ID') : self::server('HTTP_X_REQUEST_ID');
                if ($id === '') {
                    $id = $getenv ? (string) \getenv('REQUEST_ID') : self::server('REQUEST_ID');
                }
                $q = \strpos($uri, '?');
                if ($q !== false) {
                    $uri = ($getenv ? (string) \getenv('FPMSCOPE_QUERY') : self::server('FPMSCOPE_QUERY')) === '1'
                        ? self::query(\substr($uri, 0, $q), \substr($uri, $q + 1))
                        : Route::params(\substr($uri, 0, $q), \substr($uri, $q + 1), $getenv ? (string) \getenv('FPMSCOPE_ROUTE_PARAMS') : self::server('FPMSCOPE_ROUTE_PARAMS'));
                }
                if (\strpos($uri, '@') !== false || \stripos($uri, '%40') !== false) {
                    $uri = self::userinfo($uri);
                }
                // --- End of the request's identity.
                // statm counts pages; 4 KiB on every platform PHP-FPM runs on in practice.
                if ($line !== false && ($p = \strpos($line, ' ')) !== false && ($q = \strpos($line, ' ', $p + 1)) !== false) {
                    $rss0 = (int) \substr($line, $p + 1) * 4096;
                    $shared0 = (int) \substr($line, $q + 1) * 4096;
                } else {
                    $rss0 = $shared0 = '';
                    self::$flags = 'm';
                }
                // The worker's CPU time so far, user and system, in µs (getrusage()'s array is not kept).
                self::$start = [
                    $t0,
                    $ts,
                    $ru === null ? null : $ru['ru_utime.tv_sec'] * 1000000 + $ru['ru_utime.tv_usec'],
                    $ru === null ? null : $ru['ru_stime.tv_sec'] * 1000000 + $ru['ru_stime.tv_usec'],
                    $rss0,
                    $shared0,
                    $z0,
                    $zr0,
                    $getenv ? (string) \getenv('REQUEST_METHOD') : self::server('REQUEST_METHOD'),
                    $uri,
                    $script,
                    $id,
                    $log,
                    $getenv ? (string) \getenv('FPMSCOPE_POOL') : self::server('FPMSCOPE_POOL'),
                ];
                if (self::$flags !== '' && \function_exists('error_clear_last')) {
                    // The app must not find our swallowed warning in error_get_last().
                    \error_clear_last();
                }
                // Ours runs first; it re-registers the real finisher so that it runs after the
                // application's own shutdown functions. The guard's destructor is the fallback when an
                // application shutdown function calls exit() and cuts that chain.
                if (\function_exists('register_shutdown_function')) {
                    \register_shutdown_function([__CLASS__, 'shutdown']);
                    self::$fallback = 'exit';
                }
                self::$guard = new Guard();
                // Memory for the finisher after a memory_limit bailout. Zend then refuses every new
                // 2 MiB chunk, and an allocation whose size class has no free slot needs one to seven
                // free 4 KiB pages in the chunks it has: when the application had filled them all, the
                // finisher itself hit the limit and the line was lost. So the probe holds pages from
                // the start of the request and frees them before the finisher allocates: the read
                // buffer of the statm stream (above), or, without it, a string. The finisher's
                // allocations fit in RESERVE bytes whatever size classes the application drained
                // (16 KiB did not, tests/e2e/test_bailout.py). 64 KiB shifted the app's heap enough to
                // blur retention in the demo (tests/e2e/test_leaks_e2e.py). `$spare` is the slot
                // re-registering the finisher takes.
                if (\function_exists('str_repeat')) {
                    self::$spare = \str_repeat(' ', 71);
                    if (!$reserved) {
                        self::$reserve = \str_repeat(' ', self::RESERVE - 25);
                    }
                }
            } catch (\Throwable $e) {
                // A disabled function is an Error in PHP 8: give up measuring, never the request.
                self::$done = true;
            }
        }

        /**
         * A setting or request fact from $_SERVER, named only inside code compiled when this runs:
         * the probe stays one file and pays for the array only where getenv() is disabled.
         */
        private static function server($key)
        {
            static $server = null;
            if ($server === null) {
                $server = eval('return $_SERVER;');
                $server = \is_array($server) ? $server : [];
            }
            return isset($server[$key]) ? (string) $server[$key] : '';
        }

        public static function shutdown()
        {
            // Registering takes one 96-byte slot: the spare's, freed just before.
            self::$spare = null;
            \register_shutdown_function([__CLASS__, 'finish']);
        }

        /** Our error handler while finishing: an app handler that throws must never see our warnings. */
        public static function quiet()
        {
            return true;
        }

        /** Lets the application name the route of this request (`\Fpmscope\Probe::tag('x')`). */
        public static function tag($name)
        {
            self::$tag = (string) $name;
        }

        /** The whole query string, kept only with FPMSCOPE_QUERY=1, and then without secrets. */
        private static function query($path, $query)
        {
            $out = [];
            foreach (\explode('&', $query) as $pair) {
                $eq = \strpos($pair, '=');
                if ($eq !== false && \preg_match('/pass|secret|token|key|auth|sess|sig|cred|otp|code|nonce|jwt/i', \rawurldecode(\substr($pair, 0, $eq)))) {
                    $pair = \substr($pair, 0, $eq) . '=REDACTED';
                }
                $out[] = $pair;
            }
            return $path . '?' . \implode('&', $out);
        }

        /** `scheme://user:pass@host`, plain or percent-encoded, loses its user part. */
        private static function userinfo($uri)
        {
            $clean = \preg_replace(['#(://)[^/@?&\#]*@#', '#(%3A%2F%2F)[^/@?&\#]*?%40#i'], ['$1REDACTED@', '$1REDACTED%40'], $uri);
            return \is_string($clean) ? $clean : '';
        }

        /**
         * The line's text fields (host, pool, method, uri, script, request id, tag), each cut to its
         * cap and made one line: C-style escapes for control bytes and backslash, \xHH for bytes
         * that are not UTF-8. The finisher calls it only when a field is too long or a byte needs
         * escaping, or is not UTF-8.
         */
        private static function clean(array $text)
        {
            foreach ([255, 255, 32, 2048, 1024, 128, 255] as $i => $cap) {
                if (\strlen($text[$i]) > $cap) {
                    $text[$i] = \substr($text[$i], 0, $cap);
                    self::$flags .= 't';
                }
            }
            if (\preg_match('/[\x00-\x1f\x7f\\\\]/u', \implode(' ', $text)) === 0) {
                return $text;
            }
            foreach ($text as $i => $s) {
                if (\strcspn($s, "\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") !== \strlen($s)) {
                    $s = \addcslashes($s, "\0..\37\\\177");
                }
                if (\preg_match('//u', $s) !== 1) {
                    $s = \preg_replace_callback('/[\x80-\xff]/', function ($m) {
                        return \sprintf('\\x%02x', \ord($m[0]));
                    }, $s);
                }
                $text[$i] = $s;
            }
            return $text;
        }

        public static function finish($outcome = 'ok')
        {
            if (self::$done || self::$start === null) {
                self::$reserve = null;
                return;
            }
            self::$done = true;
            // The end of the measure, then the reserve freed: nothing before allocates a page.
            $t1 = \function_exists('hrtime') ? \hrtime(true) : (int) (\microtime(true) * 1e9);
            $line = false;
            $fp = self::$statm;
            if ($fp !== false) {
                // Frees the start's line first: the read below takes its slot, needing no page;
                // closing the stream frees its buffer, the reserve.
                self::$line = false;
                @\rewind($fp);
                $line = @\fgets($fp, 48);
                @\fclose($fp);
                self::$statm = false;
            }
            self::$reserve = null;
            $handler = \function_exists('set_error_handler');
            if ($handler) {
                \set_error_handler([__CLASS__, 'quiet']);
            }
            try {
                self::write($outcome, $t1, $line);
            } catch (\Throwable $e) {
                // Nothing to record it in; the request's response is already complete.
            }
            if ($handler) {
                \restore_error_handler();
            }
        }

        private static function write($outcome, $t1, $line)
        {
            $error = \function_exists('error_get_last') ? \error_get_last() : null;
            if ($error !== null && ($error['type'] & (\E_ERROR | \E_CORE_ERROR | \E_COMPILE_ERROR | \E_USER_ERROR | \E_PARSE | \E_RECOVERABLE_ERROR))) {
                $msg = (string) $error['message'];
                if (\strncmp($msg, 'Allowed memory size', 19) === 0) {
                    $outcome = 'oom';
                    // Room to finish the line: Zend refuses a new chunk beyond the limit, and ours
                    // may need one. Fails quietly when the pool sets memory_limit as an admin value.
                    if (\function_exists('ini_set') && \function_exists('memory_get_usage')) {
                        @\ini_set('memory_limit', (string) (\memory_get_usage(true) + 4194304));
                    }
                } elseif (\strncmp($msg, 'Maximum execution time', 22) === 0) {
                    $outcome = 'timeout';
                } else {
                    $outcome = 'fatal';
                }
            }
            list($t0, $ts, $user0, $sys0, $rss0, $shared0, $z0, $zr0, $method, $uri, $script, $id, $log, $pool) = self::$start;
            // statm at the end first: its flag comes before getrusage's, as it always has.
            if ($line !== false && ($p = \strpos($line, ' ')) !== false && ($q = \strpos($line, ' ', $p + 1)) !== false) {
                $rss1 = (int) \substr($line, $p + 1) * 4096;
                $shared1 = (int) \substr($line, $q + 1) * 4096;
            } else {
                $rss1 = $shared1 = '';
                if (\strpos(self::$flags, 'm') === false) {
                    self::$flags .= 'm';
                }
            }
            $ru = \function_exists('getrusage') ? \getrusage() : null;
            // The worker's CPU time so far identifies its process: it only grows while the process
            // lives, so a pid whose next request starts with less is a new worker (pids are reused).
            $worker = $user0 === null ? '' : $user0 + $sys0;
            if ($ru !== null && $user0 !== null) {
                $cpuUser = $ru['ru_utime.tv_sec'] * 1000000 + $ru['ru_utime.tv_usec'] - $user0;
                $cpuSys = $ru['ru_stime.tv_sec'] * 1000000 + $ru['ru_stime.tv_usec'] - $sys0;
            } else {
                $cpuUser = $cpuSys = '';
                self::$flags .= 'c';
            }
            $status = \function_exists('http_response_code') ? \http_response_code() : false;
            // Counting included files walks the list PHP keeps of them (~100 instructions per file,
            // 150 files on a real app's page): only where the pool asks for it.
            $files = \function_exists('get_included_files') && \function_exists('getenv')
                && \getenv('FPMSCOPE_FILES') === '1' ? \count(\get_included_files()) : '';
            $host = \function_exists('gethostname') ? (string) \gethostname() : '';
            // Route::name() only when one of the frameworks it knows is loaded (its own first checks).
            $tag = self::$tag !== null ? (string) self::$tag
                : (\defined('ABSPATH') || isset($GLOBALS['request']) || \class_exists('Illuminate\\Routing\\Router', false) ? Route::name($uri) : '');
            // The common case costs one PCRE call, without building an array: every field within its
            // cap (isset of the byte past it) and printable ASCII but backslash (so also valid UTF-8).
            // Otherwise clean() cuts, escapes and checks UTF-8 field by field.
            if (isset($host[255]) || isset($pool[255]) || isset($method[32]) || isset($uri[2048]) || isset($script[1024])
                || isset($id[128]) || isset($tag[255])
                || \preg_match('/[\x00-\x1f\x7f-\xff\\\\]/', "$host $pool $method $uri $script $id $tag") !== 0) {
                list($host, $pool, $method, $uri, $script, $id, $tag) = self::clean([$host, $pool, $method, $uri, $script, $id, $tag]);
            }
            // The start time to the µs without sprintf('%.6f'), whose float formatting costs more
            // than the rest of the line.
            $us = (string) (int) ($ts * 1000000 + 0.5);
            $line = \implode("\t", [
                'fpms2',
                $host,
                $pool,
                \function_exists('getmypid') ? \getmypid() : '',
                $worker,
                \substr($us, 0, -6) . '.' . \substr($us, -6),
                (int) (($t1 - $t0) / 1000),
                $cpuUser,
                $cpuSys,
                $rss0,
                $rss1,
                $rss0 === '' ? '' : $rss0 - $shared0,
                $rss1 === '' ? '' : $rss1 - $shared1,
                $shared0,
                $shared1,
                $z0,
                \function_exists('memory_get_usage') ? \memory_get_usage() : '',
                \function_exists('memory_get_peak_usage') ? \memory_get_peak_usage() : '',
                $zr0,
                \function_exists('memory_get_peak_usage') ? \memory_get_peak_usage(true) : '',
                $status === false ? '' : $status,
                $method,
                $uri,
                $script,
                $id,
                $files,
                $outcome,
                $tag,
                self::$flags . self::$sample,
            ]) . "\n";
            // One lstat (filetype does not build lstat()'s array): never write through a symlink,
            // and create a missing log 0640.
            $type = \function_exists('filetype') ? @\filetype($log) : null;
            if ($type === 'link') {
                return;
            }
            $mask = $type === false && \function_exists('umask') ? \umask(027) : null;
            if (\function_exists('file_put_contents')) {
                @\file_put_contents($log, $line, \FILE_APPEND);
            } elseif (\function_exists('fopen') && ($fp = @\fopen($log, 'ab')) !== false) {
                @\fwrite($fp, $line);
                @\fclose($fp);
            }
            if ($mask !== null) {
                \umask($mask);
            }
        }
    }

    /**
     * Endpoint names as the application knows them (issue 12): the routing parameters of the query
     * string, and the route its framework chose. Everything here is swallowed like the rest of the
     * probe; name() runs inside the finisher's quiet error handler.
     */
    final class Route
    {
        /** Query parameters that route requests (FPMSCOPE_ROUTE_PARAMS overrides; fpmscope/endpoints.py). */
        const PARAMS = 'action,controller,do,option,page,r,rest_route,route,task,view';

        /**
         * `path?name=value&...` with only the routing parameters of $query (the last of a repeated
         * name, as PHP's $_GET), pairs sorted, values cleaned by value(); nothing else of the query
         * string is kept. $names: comma-separated, '' for PARAMS, 'none' for no parameter.
         */
        public static function params($path, $query, $names)
        {
            if ($names === 'none') {
                return $path;
            }
            // A search in `,a,b,` is cheaper than building a set for the few pairs of a query.
            $allow = ',' . ($names === '' ? self::PARAMS : \str_replace(' ', '', $names)) . ',';
            $kept = [];
            foreach (\explode('&', $query) as $pair) {
                $eq = \strpos($pair, '=');
                if ($eq && \strpos($allow, ',' . ($name = \substr($pair, 0, $eq)) . ',') !== false && \strpos($name, ',') === false) {
                    $kept[$name] = $name . '=' . self::value(\substr($pair, $eq + 1));
                }
            }
            if ($kept === []) {
                return $path;
            }
            \sort($kept, \SORT_STRING);
            return $path . '?' . \implode('&', $kept);
        }

        /** URL-decoded, each run of other characters than [A-Za-z0-9._~:/-] made `_`, cut to 64 bytes. */
        public static function value($raw)
        {
            $value = \preg_replace('#[^A-Za-z0-9._~:/-]+#', '_', \urldecode((string) $raw));
            return \is_string($value) ? \substr($value, 0, 64) : '';
        }

        /**
         * The route the framework chose, read from what is already loaded (class_exists(.., false),
         * instanceof and defined() never autoload) and from no function that could warn; '' when
         * none is known. A name that starts with `/` is a path the analyzer normalizes.
         */
        public static function name($uri)
        {
            try {
                if (\defined('ABSPATH') && \defined('WPINC')) {
                    return self::wordpress($uri);
                }
                if (\class_exists('Illuminate\\Routing\\Router', false) && \class_exists('Illuminate\\Container\\Container', false)) {
                    $name = self::laravel();
                    if ($name !== '') {
                        return $name;
                    }
                }
                // Symfony and Drupal front controllers keep their request in a global `$request`;
                // its `_route` attribute is the route name (Drupal: `entity.node.canonical`).
                if (isset($GLOBALS['request']) && $GLOBALS['request'] instanceof \Symfony\Component\HttpFoundation\Request) {
                    $route = $GLOBALS['request']->attributes->get('_route');
                    return \is_string($route) ? $route : '';
                }
            } catch (\Throwable $e) {
                // A framework in a state we did not foresee: no name, never a failure.
            }
            return '';
        }

        /** admin-ajax action (also from a POST body), or the main query's template kind. */
        private static function wordpress($uri)
        {
            if (\defined('DOING_AJAX') && \constant('DOING_AJAX')) {
                $action = isset($_POST['action']) ? $_POST['action'] : (isset($_GET['action']) ? $_GET['action'] : '');
                return \is_string($action) && $action !== '' ? \explode('?', $uri, 2)[0] . '?action=' . self::value($action) : '';
            }
            // REST routes are in the path or `?rest_route=`, already kept; wp-admin pages are scripts.
            if ((\defined('REST_REQUEST') && \constant('REST_REQUEST')) || \defined('WP_ADMIN') || !\function_exists('did_action')
                || !\did_action('wp') || !isset($GLOBALS['wp_query']) || !$GLOBALS['wp_query'] instanceof \WP_Query) {
                return '';
            }
            $q = $GLOBALS['wp_query'];
            // The order of wp-includes/template-loader.php, whose choice this names.
            if (\is_array($q->query_vars) && !empty($q->query_vars['sitemap'])) {
                return 'wp:sitemap';
            } elseif ($q->is_robots) {
                return 'wp:robots';
            } elseif ($q->is_feed) {
                return 'wp:feed';
            } elseif ($q->is_embed) {
                return 'wp:embed';
            } elseif ($q->is_404) {
                return 'wp:404';
            } elseif ($q->is_search) {
                return 'wp:search';
            } elseif ($q->is_home) {
                return 'wp:home';
            } elseif ($q->is_post_type_archive) {
                return 'wp:archive';
            } elseif ($q->is_tax) {
                return 'wp:taxonomy';
            } elseif ($q->is_attachment) {
                return 'wp:attachment';
            } elseif ($q->is_single) {
                $type = isset($q->post) && \is_object($q->post) && isset($q->post->post_type) ? $q->post->post_type : '';
                return \is_string($type) && $type !== '' ? 'wp:single-' . self::value($type) : 'wp:single';
            } elseif ($q->is_page) {
                return 'wp:page';
            } elseif ($q->is_category) {
                return 'wp:category';
            } elseif ($q->is_tag) {
                return 'wp:tag';
            } elseif ($q->is_author) {
                return 'wp:author';
            } elseif ($q->is_date) {
                return 'wp:date';
            } elseif ($q->is_archive) {
                return 'wp:archive';
            }
            return '';
        }

        /** The current route's name, else its controller action, else its URI pattern. */
        private static function laravel()
        {
            $app = \Illuminate\Container\Container::getInstance();
            if (!$app->resolved('router')) {
                return '';
            }
            $router = $app->make('router');
            $route = $router instanceof \Illuminate\Routing\Router ? $router->current() : null;
            if (!$route instanceof \Illuminate\Routing\Route) {
                return '';
            }
            $name = $route->getName();
            if (\is_string($name) && $name !== '') {
                return $name;
            }
            $action = $route->getActionName();
            return $action !== 'Closure' ? (string) $action : '/' . \ltrim((string) $route->uri(), '/');
        }
    }

    /** Writes the line when exit() inside an application shutdown function skipped our finisher. */
    final class Guard
    {
        public function __destruct()
        {
            if (!Probe::$done) {
                Probe::finish(Probe::$fallback);
            }
        }
    }

    Probe::begin();
} else {
    /** A worker that sampling leaves out: the application's calls of tag() still work, and do nothing. */
    final class Probe
    {
        /** @var null never measuring */
        public static $start = null;

        public static function tag($name)
        {
        }
    }
}
// The application's own prepend, after the probe has started (installed as env[FPMSCOPE_CHAIN]).
if (\function_exists('getenv') ? (string) \getenv('FPMSCOPE_CHAIN') !== '' : Probe::$chain !== '') {
    include \function_exists('getenv') ? \getenv('FPMSCOPE_CHAIN') : Probe::$chain;
}

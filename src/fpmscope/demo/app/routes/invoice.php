<?php
// Planted fault: a smaller native leak, 16 KiB per call.
// `fpmscope demo --fix invoice` sets DEMO_FIXED=invoice: no allocation, the leak fixed.
$libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6');
if (!in_array('invoice', explode(',', (string) getenv('DEMO_FIXED')), true)) {
    $buf = $libc->malloc(16 * 1024);
    $libc->memset($buf, 2, 16 * 1024);
}
echo "invoice for order $param\n";

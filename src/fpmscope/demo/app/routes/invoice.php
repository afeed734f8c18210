<?php
// Planted fault: a smaller native leak, 16 KiB per call.
$libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n); void free(void *p);', 'libc.so.6');
$buf = $libc->malloc(16 * 1024);
$libc->memset($buf, 2, 16 * 1024);
if (in_array('invoice', explode(',', (string) getenv('DEMO_FIXED')), true)) {
    $libc->free($buf);
}
echo "invoice for order $param\n";

<?php
// Planted fault: a native library that forgets to free 64 KiB on every call.
// FFI stands in for a C extension; the memory never reaches Zend's allocator.
// `fpmscope demo --fix thumbnail` sets DEMO_FIXED=thumbnail: no allocation, the leak fixed.
$libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6');
if (!in_array('thumbnail', explode(',', (string) getenv('DEMO_FIXED')), true)) {
    $buf = $libc->malloc(64 * 1024);
    $libc->memset($buf, 1, 64 * 1024);
}
header('Content-Type: text/plain');
echo "thumbnail for image $param\n";

<?php
// Planted fault: a native library that forgets to free 64 KiB on every call.
// FFI stands in for a C extension; the memory never reaches Zend's allocator.
// `fpmscope demo --fix thumbnail` sets DEMO_FIXED, which frees the buffer (the leak fixed).
$libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n); void free(void *p);', 'libc.so.6');
$buf = $libc->malloc(64 * 1024);
$libc->memset($buf, 1, 64 * 1024);
if (in_array('thumbnail', explode(',', (string) getenv('DEMO_FIXED')), true)) {
    $libc->free($buf);
}
header('Content-Type: text/plain');
echo "thumbnail for image $param\n";

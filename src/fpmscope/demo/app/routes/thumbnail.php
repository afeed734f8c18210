<?php
// Planted fault: a native library that forgets to free 64 KiB on every call.
// FFI stands in for a C extension; the memory never reaches Zend's allocator.
$libc = FFI::cdef('void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6');
$buf = $libc->malloc(64 * 1024);
$libc->memset($buf, 1, 64 * 1024);
header('Content-Type: text/plain');
echo "thumbnail for image $param\n";

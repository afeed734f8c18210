<?php
/*
 * Plugin Name: fpmscope planted leak
 * Description: Planted fault for fpmscope's real-application tests: every GET of the REST
 * posts collection (/wp-json/wp/v2/posts) leaks native memory through FFI malloc, never freed.
 */

add_filter( 'rest_pre_dispatch', function ( $result, $server, $request ) {
	if ( $request->get_route() !== '/wp/v2/posts' || $request->get_method() !== 'GET' ) {
		return $result;
	}
	$size = (int) ( getenv( 'FPMSCOPE_LEAK_BYTES' ) ?: 49152 );
	$libc = FFI::cdef( 'void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6' );
	$buf = $libc->malloc( $size );
	$libc->memset( $buf, 7, $size );
	$log = getenv( 'FPMSCOPE_PLANT_LOG' );
	if ( $log ) {
		file_put_contents( $log, getmypid() . "\t" . $size . "\t" . $_SERVER['REQUEST_URI'] . "\n", FILE_APPEND | LOCK_EX );
	}
	return $result;
}, 10, 3 );

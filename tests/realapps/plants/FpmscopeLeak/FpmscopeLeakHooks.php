<?php
// Planted fault: a native library that forgets to free a buffer on every run of one special
// special page's HTML view. FFI stands in for a C extension; the memory never reaches Zend's allocator.

class FpmscopeLeakHooks {
	public static function onSpecialPageBeforeExecute( $special, $subPage ) {
		global $wgFpmscopeLeakBytes, $wgFpmscopeLeakPage;
		// The HTML page only: the same page's feeds (?feed=atom) do not run the widget.
		if ( $special->getName() !== $wgFpmscopeLeakPage || $special->getRequest()->getVal( 'feed' ) !== null ) {
			return true;
		}
		$size = (int)$wgFpmscopeLeakBytes;
		$libc = FFI::cdef( 'void *malloc(size_t size); void *memset(void *s, int c, size_t n);', 'libc.so.6' );
		$buf = $libc->malloc( $size );
		$libc->memset( $buf, 7, $size );
		fpmscope_plant_record( $size );
		return true;
	}
}

/** One line per leaked buffer to the plant log (the test's ground truth): pid, bytes, URI. */
function fpmscope_plant_record( int $size ) {
	$log = getenv( 'FPMSCOPE_PLANT_LOG' );
	if ( $log ) {
		file_put_contents(
			$log,
			getmypid() . "\t" . $size . "\t" . ( $_SERVER['REQUEST_URI'] ?? '' ) . "\n",
			FILE_APPEND | LOCK_EX
		);
	}
}

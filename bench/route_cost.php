<?php
// Warm cost of the probe's route naming (issue 12), inside php-fpm with the probe prepended:
// runs the app named by ?app= at file scope (its globals are the app's, as in production),
// then times \Fpmscope\Route::name() and ::params() in a loop; appends "name<TAB>ns per call"
// lines to the file ?out= names (the apps' Response::send() finishes the HTTP response).
$n = isset($_GET['n']) ? (int) $_GET['n'] : 2000;
$app = isset($_GET['app']) ? $_GET['app'] : 'plain';
$paths = ['laravel' => '/laravel/posts/12', 'symfony' => '/symfony/blog/hello-world', 'plain' => '/hello'];
$_SERVER['REQUEST_URI'] = $paths[$app];
ob_start();
if ($app !== 'plain') {
    require __DIR__ . '/' . $app . '.php';
}
ob_end_clean();
$out = '';
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) {
}
$loop = hrtime(true) - $t;
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) {
    $name = \Fpmscope\Route::name($paths[$app]);
}
$out .= sprintf("Route::name, %s (%s)\t%.0f\n", $app, $name === '' ? 'no name' : $name, (hrtime(true) - $t - $loop) / $n);
$query = 'action=edit&id=42&token=s3cret&utm_source=news&page=2';
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) {
    $uri = \Fpmscope\Route::params('/index.php', $query, '');
}
$out .= sprintf("Route::params, 5 pairs, 2 kept (%s)\t%.0f\n", $uri, (hrtime(true) - $t - $loop) / $n);
file_put_contents($_GET['out'], $out, FILE_APPEND);

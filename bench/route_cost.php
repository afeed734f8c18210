<?php
// Warm cost of the probe's route naming (issue 12), inside php-fpm with the probe prepended:
// runs the app named by ?app= at file scope (its globals are the app's, as in production),
// then times \Fpmscope\Route::name() and ::params() in a loop; appends "name<TAB>ns per call"
// lines to the file ?out= names (the apps' Response::send() finishes the HTTP response).
$benchN = isset($_GET['n']) ? (int) $_GET['n'] : 2000;
$benchApp = isset($_GET['app']) ? $_GET['app'] : 'plain';
$benchPaths = ['laravel' => '/laravel/posts/12', 'symfony' => '/symfony/blog/hello-world', 'plain' => '/hello'];
$_SERVER['REQUEST_URI'] = $benchPaths[$benchApp];
ob_start();
if ($benchApp !== 'plain') {
    require __DIR__ . '/' . $benchApp . '.php';
}
ob_end_clean();
$out = '';
$t = hrtime(true);
for ($i = 0; $i < $benchN; $i++) {
}
$loop = hrtime(true) - $t;
$t = hrtime(true);
for ($i = 0; $i < $benchN; $i++) {
    $name = \Fpmscope\Route::name($benchPaths[$benchApp]);
}
$out .= sprintf("Route::name, %s (%s)\t%.0f\n", $benchApp, $name === '' ? 'no name' : $name, (hrtime(true) - $t - $loop) / $benchN);
$query = 'action=edit&id=42&token=s3cret&utm_source=news&page=2';
$t = hrtime(true);
for ($i = 0; $i < $benchN; $i++) {
    $uri = \Fpmscope\Route::params('/index.php', $query, '');
}
$out .= sprintf("Route::params, 5 pairs, 2 kept (%s)\t%.0f\n", $uri, (hrtime(true) - $t - $loop) / $benchN);
file_put_contents($_GET['out'], $out, FILE_APPEND);

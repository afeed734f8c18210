<?php
// One front controller for two framework apps: /laravel/... and /symfony/...
$first = explode('/', trim(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH), '/'))[0];
if ($first === 'laravel') {
    require __DIR__ . '/laravel.php';
} elseif ($first === 'symfony') {
    require __DIR__ . '/symfony.php';
} else {
    echo "plain\n";
}

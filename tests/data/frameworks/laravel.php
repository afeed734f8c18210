<?php
// A tiny Laravel routing app on Debian's php-laravel-framework, as a Laravel kernel wires it.
require_once '/usr/share/php/Illuminate/Routing/autoload.php';
require_once '/usr/share/php/Illuminate/Events/autoload.php';

use Illuminate\Container\Container;
use Illuminate\Events\Dispatcher;
use Illuminate\Http\Request;
use Illuminate\Routing\Router;

$app = new Container();
Container::setInstance($app);
$app->singleton('router', function ($app) {
    return new Router(new Dispatcher($app), $app);
});
$router = $app->make('router');
$router->get('/laravel/posts/{post}', function ($post) {
    return "post $post\n";
})->name('posts.show');
$router->get('/laravel/about', function () {
    return "about\n";
});
$response = $router->dispatch($request = Request::capture());
$response->send();

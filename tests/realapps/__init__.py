"""Real third-party PHP applications (Debian's MediaWiki and WordPress, as shipped) on a real
nginx + php-fpm with the probe, driven by realistic traffic, with an optional planted leak.

`harness.running_app()` is the entry point for tests and benchmarks."""

"""Write a scenario's PHP app: a front controller and/or per-script files, and a helper library.

Each ingredient is one call into `lib/acc.php`. Native memory comes from libc through FFI (it
stands in for a C extension: the bytes never pass through Zend's allocator) and is touched with
memset so it is resident, as a real extension's buffers are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bench.accuracy.scenario import Endpoint, Scenario, is_script

HELPERS = r"""<?php
// Helpers of the accuracy suite's generated apps. Every function plants one ingredient.
function acc_libc() {
    static $c = null;
    if ($c === null) {
        $c = FFI::cdef(
            'void *malloc(size_t n); void free(void *p); void *memset(void *s, int c, size_t n);',
            'libc.so.6'
        );
    }
    return $c;
}

// A native leak: malloc'd, touched, never freed.
function acc_native_leak($bytes) {
    $c = acc_libc();
    $p = $c->malloc($bytes);
    $c->memset($p, 7, $bytes);
}

// A native transient: malloc'd, touched, freed before the request ends.
function acc_native_transient($bytes) {
    $c = acc_libc();
    $p = $c->malloc($bytes);
    $c->memset($p, 3, $bytes);
    $c->free($p);
}

// A Zend transient: a packed array of about $mb MiB (16-byte zvals), built and dropped.
function acc_zend_array($mb) {
    $a = range(1, intdiv($mb * 1048576, 16));
    $n = count($a);
    unset($a);
    return $n;
}

function acc_zend_string($mb) {
    $s = str_repeat('z', $mb * 1048576);
    $n = strlen($s);
    unset($s);
    return $n;
}

// A static array grown during the request. PHP-FPM frees it with the rest of the request's
// memory, so it starts empty on the next request: the count echoed shows it never carries over.
function acc_zend_static($items) {
    static $memo = [];
    for ($i = 0; $i < $items; $i++) {
        $memo[] = $i;
    }
    return count($memo);
}

// This worker's identity (pid + start time in clock ticks), as the probe records it.
function acc_worker() {
    $stat = @file_get_contents('/proc/self/stat');
    $rest = substr($stat, strrpos($stat, ')') + 2);
    $f = explode(' ', $rest);
    return getmypid() . '-' . $f[19];
}

// A bounded native cache keyed by id: each new key mallocs an entry until `cap` keys are held,
// then it never allocates again. The keys live in native memory in a real extension; here the
// key list is kept in a per-worker state file so that it survives the request.
function acc_ffi_cache($name, $key, $entry_bytes, $cap) {
    $file = getenv('ACC_STATE') . '/cache-' . $name . '-' . acc_worker();
    $keys = is_file($file) ? explode(',', trim(file_get_contents($file), ',')) : [];
    if (count($keys) >= $cap || in_array((string) $key, $keys, true)) {
        return count($keys);
    }
    $c = acc_libc();
    $p = $c->malloc($entry_bytes);
    $c->memset($p, 5, $entry_bytes);
    file_put_contents($file, ',' . $key, FILE_APPEND);
    return count($keys) + 1;
}

// PCRE's compiled-pattern cache is per process and survives requests; a pattern per key fills
// it for the first `keys` distinct keys, then every pattern is a cache hit.
function acc_pcre_cache($key) {
    return preg_match('/^(item|entry)-' . $key . '-([a-z]+)-(\d+)$/', 'item-' . $key . '-abc-1');
}

function acc_includes($dir, $files) {
    $sum = 0;
    for ($i = 0; $i < $files; $i++) {
        $sum += require $dir . '/f' . $i . '.php';
    }
    return $sum;
}
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "root"


def endpoint_slug(endpoint: Endpoint) -> str:
    """The file-system name of an endpoint's route, include folder and cache state."""
    return _slug(endpoint["method"] + endpoint["template"])


def _ingredient_php(endpoint_slug: str, g: dict[str, Any]) -> str:
    kind = g["kind"]
    if kind == "native_leak":
        return f"acc_native_leak({int(g['bytes'])});"
    if kind == "native_transient":
        return f"acc_native_transient({int(g['bytes'])});"
    if kind == "zend_array":
        return f"$out[] = acc_zend_array({int(g['mb'])});"
    if kind == "zend_string":
        return f"$out[] = acc_zend_string({int(g['mb'])});"
    if kind == "zend_static":
        return f"$out[] = 'static=' . acc_zend_static({int(g['items'])});"
    if kind == "ffi_cache":
        return f"$out[] = acc_ffi_cache('{endpoint_slug}', $key, {int(g['entry_bytes'])}, {int(g['cap'])});"
    if kind == "pcre_cache":
        return f"$out[] = acc_pcre_cache($key % {int(g['keys'])});"
    if kind == "includes":
        return f"$out[] = acc_includes(__DIR__ . '/../inc/{endpoint_slug}', {int(g['files'])});"
    raise ValueError(f"unknown ingredient {kind!r}")


def _body(endpoint: Endpoint, slug: str) -> str:
    lines = [
        "$out = [];",
        "$key = $param !== null && ctype_digit((string) $param) ? (int) $param : crc32((string) $param);",
        *(_ingredient_php(slug, g) for g in endpoint["ingredients"]),
        f"echo {json.dumps(endpoint['method'] + ' ' + endpoint['template'])}, ' ', implode(' ', $out), \"\\n\";",
    ]
    return "\n".join(lines) + "\n"


def _route_regex(template: str) -> str:
    parts = []
    for piece in template.split("/"):
        if piece == "{id}":
            parts.append(r"(\d+)")
        elif piece == "{slug}":
            parts.append(r"([a-z0-9-]+)")
        else:
            parts.append(re.escape(piece))
    return "#^" + "/".join(parts) + "$#"


def write_app(scenario: Scenario, docroot: Path) -> Path:
    """Lay out the scenario's app under `docroot` and return it."""
    (docroot / "lib").mkdir(parents=True, exist_ok=True)
    (docroot / "lib" / "acc.php").write_text(HELPERS)
    routes = []
    for endpoint in scenario["endpoints"]:
        slug = endpoint_slug(endpoint)
        for g in endpoint["ingredients"]:
            if g["kind"] == "includes":
                inc = docroot / "inc" / slug
                inc.mkdir(parents=True, exist_ok=True)
                for i in range(int(g["files"])):
                    (inc / f"f{i}.php").write_text(
                        f"<?php\nfunction {slug}_f{i}($x) {{ return $x * {i} + strlen('{'w' * 160}'); }}\n"
                        f"return {slug}_f{i}({i});\n"
                    )
        template = endpoint["template"]
        if is_script(template):
            path = docroot / template.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            prefix = "/".join([".."] * (len(template.strip("/").split("/")) - 1)) or "."
            head = (
                "<?php\n"
                f"require_once __DIR__ . '/{prefix}/lib/acc.php';\n"
                "$param = isset($_GET['id']) ? $_GET['id'] : null;\n"
            )
            # Includes are addressed from lib/.. whatever the script's depth.
            body = _body(endpoint, slug).replace("__DIR__ . '/../inc/", f"__DIR__ . '/{prefix}/inc/")
            path.write_text(head + body)
        else:
            (docroot / "routes").mkdir(exist_ok=True)
            (docroot / "routes" / f"{slug}.php").write_text("<?php\n" + _body(endpoint, slug))
            routes.append((endpoint["method"], _route_regex(template), slug))
    if routes:
        table = ",\n".join(f"    [{json.dumps(m)}, {json.dumps(rx)}, {json.dumps(s)}]" for m, rx, s in routes)
        (docroot / "index.php").write_text(
            "<?php\n"
            "require_once __DIR__ . '/lib/acc.php';\n"
            "$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);\n"
            f"$routes = [\n{table}\n];\n"
            "foreach ($routes as [$method, $pattern, $name]) {\n"
            "    if ($_SERVER['REQUEST_METHOD'] === $method && preg_match($pattern, $path, $m)) {\n"
            "        $param = isset($m[1]) ? $m[1] : null;\n"
            "        require __DIR__ . '/routes/' . $name . '.php';\n"
            "        exit;\n"
            "    }\n"
            "}\n"
            "http_response_code(404);\n"
            'echo "not found\\n";\n'
        )
    return docroot

"""The probe stays PHP 7.1 code: a token-level check beside the real runs on the installed PHP.

The installed PHP tokenizes probe.php (`token_get_all`); Python then looks for syntax newer
than 7.1 and for calls of newer functions that are not feature-detected with function_exists.
The checker is itself tested on snippets that use each construct, so it cannot pass vacuously.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from fpmscope.probe import probe_path

TOKENIZE = (
    "echo json_encode(array_map(function ($t) {"
    " return is_array($t) ? [token_name($t[0]), $t[1], $t[2]] : [$t, $t, 0]; },"
    " token_get_all(file_get_contents($argv[1]))));"
)
SKIP = {"T_WHITESPACE", "T_COMMENT", "T_DOC_COMMENT"}
TOKENS_TOO_NEW = {
    "T_FN": "arrow function (7.4)",
    "T_COALESCE_EQUAL": "??= (7.4)",
    "T_MATCH": "match (8.0)",
    "T_NULLSAFE_OBJECT_OPERATOR": "?-> (8.0)",
    "T_ATTRIBUTE": "attribute #[ (8.0)",
    "T_ENUM": "enum (8.1)",
    "T_READONLY": "readonly (8.1)",
}
TYPES_TOO_NEW = {"object": "7.2", "mixed": "8.0", "never": "8.1", "static": "8.0", "null": "8.2", "false": "8.0"}
# Functions newer than PHP 7.1: each call must sit behind function_exists('name').
FUNCTIONS_TOO_NEW = {
    "hrtime": "7.3", "array_key_first": "7.3", "array_key_last": "7.3", "is_countable": "7.3",
    "spl_object_id": "7.2", "mb_chr": "7.2", "mb_ord": "7.2", "stream_isatty": "7.2", "hash_hmac_algos": "7.2",
    "mb_str_split": "7.4", "get_mangled_object_vars": "7.4", "password_algos": "7.4",
    "str_contains": "8.0", "str_starts_with": "8.0", "str_ends_with": "8.0", "get_debug_type": "8.0",
    "get_resource_id": "8.0", "fdiv": "8.0", "preg_last_error_msg": "8.0", "array_is_list": "8.1",
    "memory_reset_peak_usage": "8.2", "ini_parse_quantity": "8.2", "json_validate": "8.3", "array_find": "8.4",
}  # fmt: skip
CONSTANTS_TOO_NEW = {"PHP_OS_FAMILY": "7.2", "PHP_FLOAT_EPSILON": "7.2", "PHP_FLOAT_MAX": "7.2"}
MODIFIERS = {"T_PUBLIC", "T_PRIVATE", "T_PROTECTED", "T_STATIC", "T_VAR", "T_FINAL", "T_ABSTRACT"}


def tokens(path: Path) -> list[tuple[str, str, int]]:
    out = subprocess.run(["php", "-r", TOKENIZE, "--", str(path)], capture_output=True, text=True, check=True)
    return [(name, text, line) for name, text, line in json.loads(out.stdout) if name not in SKIP]


def bare(text: str) -> str:
    return text.lstrip("\\").lower()


def problems(path: Path) -> list[str]:
    """Every construct newer than PHP 7.1 in the file, as 'line N: what'."""
    toks = tokens(path)
    source = path.read_text()
    found = []

    def at(i: int) -> str:
        return toks[i][0] if 0 <= i < len(toks) else ""

    for i, (name, text, line) in enumerate(toks):
        where = f"line {line}: "
        if name in TOKENS_TOO_NEW:
            found.append(where + TOKENS_TOO_NEW[name])
        if name == "T_LNUMBER" and "_" in text:
            found.append(where + "numeric literal separator (7.4)")
        # A member declaration: modifiers at the start of a class-body statement.
        declares = name in MODIFIERS and at(i - 1) in MODIFIERS | {"{", ";", "}"}
        allowed = {"T_VARIABLE", "T_FUNCTION", "T_CONST", "T_CLASS", "T_DOUBLE_COLON", "T_PAAMAYIM_NEKUDOTAYIM"}
        if declares and at(i + 1) not in MODIFIERS | allowed:
            found.append(where + f"typed property {toks[i + 1][1]} (7.4)")
        if name == "," and at(i + 1) == ")":
            found.append(where + "trailing comma in a call or parameter list (7.3/8.0)")
        if name in {"(", ","} and at(i + 1) == "T_STRING" and at(i + 2) == ":":
            found.append(where + f"named argument {toks[i + 1][1]}: (8.0)")
        if name == "(" and at(i + 1) == "T_ELLIPSIS" and at(i + 2) == ")":
            found.append(where + "first-class callable syntax (8.1)")
        if name == "T_CATCH":
            j = i + 1
            while at(j) not in {")", ""} and at(j) != "T_VARIABLE":
                j += 1
            if at(j) != "T_VARIABLE":
                found.append(where + "catch without a variable (8.0)")
        if name == "T_FUNCTION":
            j = i + 1
            while at(j) not in {"{", ";", ""}:
                if at(j) == "|":
                    found.append(where + "union type (8.0)")
                if (
                    at(j) in {"T_STRING", "T_STATIC"}
                    and bare(toks[j][1]) in TYPES_TOO_NEW
                    and at(j - 1) in {"(", ",", ":", "?"}
                ):
                    found.append(where + f"type {toks[j][1]} ({TYPES_TOO_NEW[bare(toks[j][1])]})")
                j += 1
        if name in {"T_STRING", "T_NAME_FULLY_QUALIFIED"} and at(i + 1) == "(" and at(i - 1) != "T_FUNCTION":
            fn = bare(text)
            if fn in FUNCTIONS_TOO_NEW and not re.search(rf"function_exists\(\s*'{fn}'\s*\)", source):
                found.append(where + f"{fn}() ({FUNCTIONS_TOO_NEW[fn]}) without function_exists")
        if name in {"T_STRING", "T_NAME_FULLY_QUALIFIED"} and text.lstrip("\\") in CONSTANTS_TOO_NEW:
            found.append(where + f"constant {text} ({CONSTANTS_TOO_NEW[text.lstrip(chr(92))]})")
        if name == "T_END_HEREDOC" and text != text.lstrip():
            found.append(where + "indented heredoc end (7.3)")
    return found


def test_probe_uses_only_php_7_1_syntax_and_guards_newer_functions() -> None:
    assert problems(probe_path()) == []


def test_probe_parses_on_the_installed_php() -> None:
    out = subprocess.run(["php", "-l", str(probe_path())], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("$f = fn($x) => $x;", "arrow function"),
        ("$a ??= 1;", "??="),
        ("echo match ($a) { 1 => 2 };", "match"),
        ("echo $a?->b;", "?->"),
        ("class A { public int $x; }", "typed property"),
        ("class A { private static ?string $x; }", "typed property"),
        ("f(1, 2,);", "trailing comma"),
        ("f(name: 1);", "named argument"),
        ("function f(int|string $a) {}", "union type"),
        ("function f(): static {}", "type static"),
        ("function f(object $o) {}", "type object"),
        ("try {} catch (\\Throwable) {}", "catch without a variable"),
        ("$a = 1_000;", "numeric literal separator"),
        ("$f = strlen(...);", "first-class callable"),
        ("$t = \\hrtime(true);", "hrtime() (7.3) without function_exists"),
        ("if (str_contains($a, 'b')) {}", "str_contains()"),
        ("echo \\PHP_OS_FAMILY;", "constant"),
        ("#[Attr]\nfunction f() {}", "attribute"),
        ("enum E {}", "enum"),
    ],
)
def test_the_checker_catches_each_newer_construct(tmp_path: Path, snippet: str, expected: str) -> None:
    php = tmp_path / "snippet.php"
    php.write_text("<?php\n" + snippet + "\n")
    assert any(expected in p for p in problems(php)), problems(php)


def test_the_checker_accepts_7_1_code(tmp_path: Path) -> None:
    php = tmp_path / "ok.php"
    php.write_text(
        "<?php\nnamespace A;\nfinal class B { public static $x = null; const C = 1;\n"
        "  public static function f(?int $a, array $b = [1, 2,]): ?string { return $a ? 'x' : \\PHP_SAPI; }\n"
        "  private function g(): void { try { static::f(1); $o = new static(); }\n"
        "    catch (\\Error | \\Exception $e) {} }\n}\n"
        "$t = \\function_exists('hrtime') ? \\hrtime(true) : 0;\n[$a, $b] = [1, 2];\n"
    )
    assert problems(php) == []

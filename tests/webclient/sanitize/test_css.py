"""CSS values are filtered, not just property names."""

from __future__ import annotations

import pytest

from webclient.sanitize_css import filter_style_attribute, filter_stylesheet


def _no_images(url: str) -> str | None:
    return None


def _https_only(url: str) -> str | None:
    return url if url.startswith("https://") else None


@pytest.mark.parametrize(
    ("style", "category"),
    [
        ("width: expression(alert(1))", "css-expression"),
        ("width: \\65 xpression(alert(1))", "css-expression"),
        ("width: \\000065xpression(alert(1))", "css-expression"),
        ("width: exp/**/ression(alert(1))", "css-function"),
        ("behavior: url(x.htc)", "css-behavior"),
        ("-moz-binding: url(https://x.test/a.xml#b)", "css-behavior"),
        ("position: fixed", "css-position"),
        ("position: FiXeD", "css-position"),
        ("position: sticky", "css-position"),
        ("position: absolute", "css-position"),
        ("@import url(x.css)", "css-import"),
        ("list-style-image: url(https://x.test/a.png)", "css-property"),
        ("width: url(https://x.test/a.png)", "css-url"),
        ("background: image-set(url(https://x.test/a.png) 1x)", "css-function"),
        ("--x: 1; color: var(--x)", "css-property"),
        ("font-family: '</style><script>'", "css-expression"),
    ],
)
def test_hazardous_declarations_are_dropped(style: str, category: str) -> None:
    result = filter_style_attribute(f"color: red; {style}", image_url=_https_only)
    assert result.css == "color: red"
    assert category in result.removed


@pytest.mark.parametrize(
    "style",
    [
        "color: #123456",
        "font: bold 12px/1.4 Arial, sans-serif",
        "background-color: rgba(0, 0, 0, .5)",
        "width: calc(100% - 10px)",
        "position: relative",
        "border: 1px solid #ccc !important",
        "background: linear-gradient(red, blue)",
    ],
)
def test_ordinary_mail_styles_survive(style: str) -> None:
    result = filter_style_attribute(style, image_url=_no_images)
    assert result.css.replace(" ", "") == style.replace(" ", "")
    assert result.removed == frozenset()


def test_url_goes_through_the_image_policy_and_is_requoted() -> None:
    seen: list[str] = []

    def policy(url: str) -> str:
        seen.append(url)
        return '/mail/cid/a")b'

    result = filter_style_attribute("background: url( 'cid:a' ) no-repeat", image_url=policy)
    assert seen == ["cid:a"]
    assert result.css == 'background: url("/mail/cid/a\\")b") no-repeat'


def test_escaped_url_function_is_still_a_url_for_the_policy() -> None:
    seen: list[str] = []

    def policy(url: str) -> None:
        seen.append(url)

    result = filter_style_attribute("background: u\\rl(https://t.test/p.gif)", image_url=policy)
    assert seen == ["https://t.test/p.gif"]
    assert result.css == ""


def test_refused_url_drops_the_whole_declaration() -> None:
    result = filter_style_attribute(
        "background: url(https://t.test/p.gif) red; color: blue", image_url=_no_images
    )
    assert result.css == "color: blue"


def test_stylesheet_keeps_media_rules_and_drops_imports_and_fonts() -> None:
    css = (
        "@import url(https://x.test/a.css);"
        "@font-face { font-family: x; src: url(https://x.test/f.woff) }"
        "@media (max-width: 600px) { .col { width: 100% !important; position: fixed } }"
        "p > a { color: red; width: expression(1) }"
        "@keyframes k { from { color: red } }"
    )
    result = filter_stylesheet(css, image_url=_no_images)
    assert result.css == (
        "@media (max-width: 600px) {\n.col { width: 100% !important }\n}\np > a { color: red }"
    )
    assert {"css-import", "css-font-face", "css-position", "css-expression",
            "css-at-rule"} <= result.removed


@pytest.mark.parametrize(
    "css",
    [
        'p { font-family: "</style><img src=x onerror=alert(1)>" }',
        "p[title='</style>'] { color: red }",
        ".mg-blocked-image { display: none }",
    ],
)
def test_stylesheet_rules_that_could_end_the_style_element_or_hide_placeholders_go(
    css: str,
) -> None:
    assert filter_stylesheet(css, image_url=_no_images).css == ""


def test_oversized_css_is_dropped_whole() -> None:
    result = filter_stylesheet("p { color: red }" * 20_000, image_url=_no_images)
    assert result.css == ""
    assert "css-oversized" in result.removed


@pytest.mark.parametrize("opening", ["(", "[", "{"])
def test_css_nested_past_the_limit_is_dropped_and_the_message_still_renders(opening):
    # tinycss2 reads nested brackets by calling itself: 100,000 "(" raised RecursionError,
    # and the whole message showed as unrenderable.
    from webclient.sanitize import sanitize_email_html

    deep = opening * 100_000
    assert filter_style_attribute(f"color:{deep}", image_url=_no_images).removed == {
        "css-too-deep"}
    assert filter_stylesheet(f"a{{color:{deep}}}", image_url=_no_images).css == ""
    result = sanitize_email_html(f'<p style="color:red;width:{deep}">Hello</p>'
                                 f"<style>p {{ margin: {deep} }}</style>",
                                 allow_remote_images=False)
    assert result.html == "<p>Hello</p>"
    assert "css-too-deep" in result.removed


def test_css_that_nests_a_few_levels_is_kept():
    kept = filter_style_attribute("margin: 0 0 0 0; " + "color: rgb(1, 2, 3); " * 40,
                                  image_url=_no_images)
    assert kept.removed == frozenset() and kept.css.count("rgb(1, 2, 3)") == 40

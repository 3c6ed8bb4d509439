"""The language of a request: `<html lang>` follows the browser's Accept-Language."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("header", "lang"),
    [("zh-CN,zh;q=0.9", "zh-Hans"), ("pl", "pl"), ("fr-FR,fr;q=0.8", "fr"), ("de,en;q=0.5", "en")],
)
def test_sign_in_page_is_in_the_browsers_language(
    client: FlaskClient, header: str, lang: str
) -> None:
    response = client.get("/sign-in", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)

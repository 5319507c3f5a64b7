from datetime import UTC, datetime

from corrigo.references import (
    REFERENCE_ALPHABET,
    find_reference,
    is_reference,
    new_reference,
    new_status_token,
    token_matches,
)


def test_references_carry_the_year_and_no_look_alike_characters():
    references = {new_reference(datetime(2026, 3, 1, tzinfo=UTC)) for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert reference.startswith("CR-2026-") and is_reference(reference)
        assert not set(reference[8:]) & set("01OIL")
        assert set(reference[8:]) <= set(REFERENCE_ALPHABET)


def test_a_reference_is_found_in_a_reply_subject_whatever_its_case():
    assert find_reference("Re: 【cr-2026-7k3f9q】我们已收到") == "CR-2026-7K3F9Q"
    assert find_reference("no reference here") is None


def test_status_tokens_are_long_random_and_compared_exactly():
    token = new_status_token()
    assert len(token) >= 32 and token != new_status_token()
    assert token_matches(token, token)
    altered = token[:-1] + ("y" if token.endswith("x") else "x")  # differs in its last character
    assert not token_matches(altered, token)
    assert not token_matches(None, token)
    assert not token_matches("", "")

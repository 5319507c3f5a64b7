"""Property tests over the mail parser: mutated real mails (tests/fixtures/real-world/mails) never make
parse_mail raise."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corrigo.mail.parsing import parse_mail
from tests.support.events import REAL_WORLD

MAILS = sorted(p for p in (REAL_WORLD / "mails").rglob("*") if p.is_file() and p.suffix != ".md")


@st.composite
def mutated(draw):
    raw = bytearray(Path(draw(st.sampled_from(MAILS))).read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        if action == "flip" and raw:
            raw[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at : at + draw(st.integers(1, 400))]
        elif action == "insert":
            raw[at:at] = draw(
                st.sampled_from(
                    [
                        b"\r\n",
                        b"\n\n",
                        b"=?utf-8?B?",
                        b"--",
                        b"Content-Type: multipart/mixed; boundary=x\r\n",
                        b"\x00",
                        b"\xff\xfe",
                        b'charset="gb2312"',
                        b"=?gb2312?Q?=B1=EA?=",
                    ]
                )
            )
        elif action == "dup":
            raw[at:at] = raw[at : at + draw(st.integers(1, 2000))]
    return bytes(raw)


def test_the_corpus_is_there():
    assert len(MAILS) >= 10


@given(raw=mutated())
def test_parse_mail_never_raises_on_a_mutated_real_mail(raw):
    parse_mail(raw)


@given(raw=st.binary(max_size=5000))
def test_parse_mail_never_raises_on_random_bytes(raw):
    parse_mail(raw)

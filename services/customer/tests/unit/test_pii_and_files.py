"""ID-number encryption with key rotation, the lookup hash, and reading import files chunk by chunk."""

import os

import pytest
from cryptography.exceptions import InvalidTag

from crm_customer.domain.imports import csv_header, lines_of, parse_csv, parse_ndjson
from crm_customer.domain.pii import Keyring, UnknownKey


def test_sealed_id_numbers_open_after_a_rotation_and_only_for_their_dealer():
    old_key, new_key, lookup = os.urandom(32), os.urandom(32), os.urandom(32)
    before = Keyring({"2024": old_key}, "2024", lookup)
    sealed = before.seal("11010519491231002X", "D1")
    assert b"11010519491231002X" not in sealed.ciphertext and sealed.key_id == "2024"
    after = Keyring({"2024": old_key, "2025": new_key}, "2025", lookup)
    assert after.open(sealed, "D1") == "11010519491231002X"
    assert after.seal("11010519491231002X", "D1").key_id == "2025"
    with pytest.raises(InvalidTag):
        after.open(sealed, "D2")
    with pytest.raises(UnknownKey):
        Keyring({"2025": new_key}, "2025", lookup).open(sealed, "D1")
    assert before.lookup_hash("11010519491231002X") == after.lookup_hash("11010519491231002X")
    assert Keyring.throwaway().lookup_hash("11010519491231002X") != before.lookup_hash("11010519491231002X")


def test_a_keyring_refuses_short_keys_and_an_unknown_active_key():
    with pytest.raises(ValueError):
        Keyring({"a": os.urandom(16)}, "a", os.urandom(32))
    with pytest.raises(ValueError):
        Keyring({"a": os.urandom(32)}, "b", os.urandom(32))


async def test_lines_survive_chunks_that_cut_lines_and_characters():
    text = '{"name": "王伟"}\n\n{"name": "李娜"}\n{"name": "张敏"}'.encode()

    async def chunks():
        for start in range(0, len(text), 5):
            yield text[start:start + 5]

    lines = [(number, parse_ndjson(line)["name"]) async for number, line in lines_of(chunks())]
    assert lines == [(1, "王伟"), (3, "李娜"), (4, "张敏")]


def test_csv_rows_leave_empty_cells_out_and_split_tags():
    header = csv_header("name,mobile,email,tags")
    assert parse_csv('"王, 伟",13800138000,,vip|club', header) == {
        "name": "王, 伟", "mobile": "13800138000", "tags": ["vip", "club"]}
    with pytest.raises(ValueError, match="2 cells"):
        parse_csv("a,b", header)
    for bad in ("[1, 2]", "{nope"):
        with pytest.raises(ValueError):
            parse_ndjson(bad)

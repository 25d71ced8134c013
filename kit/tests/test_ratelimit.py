"""The kit's token bucket: what a client that sends too fast is told, and that others are not held up."""

import pytest

from crm_kit.ratelimit import TokenBucket, limit_header, policy_header


def test_a_burst_goes_through_then_the_client_is_told_how_long_to_wait():
    limiter = TokenBucket(rate=2, burst=3)
    assert [limiter.take("a", 0) for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a", 0) == 0.5
    assert limiter.take("b", 0) == 0  # another client has its own bucket
    assert limiter.take("a", 0.5) == 0  # half a second refills one request at 2/s


def test_a_per_minute_limit_refills_one_request_a_second_at_sixty():
    bucket = TokenBucket.per_minute(60, burst=3)
    assert [bucket.take("t", 100.0) for _ in range(3)] == [0, 0, 0]
    assert bucket.take("t", 100.0) == pytest.approx(1.0)
    assert bucket.take("t", 101.0) == 0


def test_forgetting_the_least_recently_seen_key_only_gives_it_a_full_bucket():
    bucket = TokenBucket(rate=1, burst=1, max_keys=2)
    assert bucket.take("old", 0) == 0 and bucket.take("mid", 0) == 0 and bucket.take("new", 0) == 0
    assert len(bucket) == 2
    assert bucket.take("old", 0) == 0  # forgotten, so full again
    assert bucket.take("new", 0) == 1.0  # remembered: still empty


def test_a_bucket_that_could_never_admit_a_request_is_refused():
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)


def test_what_other_replicas_admitted_is_spent_here_and_the_headers_say_what_is_left():
    bucket = TokenBucket(rate=1, burst=5)
    assert bucket.take("a", 0) == 0
    bucket.spend("a", 3, 0)  # three admitted elsewhere
    assert bucket.remaining("a", 0) == (1, 4.0)
    assert bucket.take("a", 0) == 0 and bucket.take("a", 0) == 1.0
    bucket.spend("a", 100, 0)  # a flood elsewhere costs at most one burst of waiting
    assert bucket.take("a", 0) == 6.0


def test_ratelimit_headers_use_the_drafts_structured_field_syntax():
    assert policy_header("default", 100, 1) == '"default";q=100;w=1'
    assert limit_header("default", 42, 0.2) == '"default";r=42;t=1'

from crm_gateway.domain.password_policy import password_problems


def test_a_long_passphrase_in_pinyin_is_accepted():
    assert password_problems("wo-ai-beijing-tiananmen", username="li.na") == []


def test_each_reason_is_named():
    assert password_problems("Ab1!", username="li.na") == ["must be at least 12 characters"]
    assert password_problems("li.na-is-my-name", username="li.na") == ["must not contain the username"]
    assert password_problems("same old password", username="li.na",
                             current="same old password") == ["must differ from the current password"]
    assert password_problems("abcdefghijklmnop", username="li.na") == [
        "must mix at least two kinds of character (letters, digits, symbols) and not repeat one"]
    assert "must mix" in password_problems("12121212121212", username="li.na")[0]

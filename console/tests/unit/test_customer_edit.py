"""What an edit sends and what a stale edit shows: only the user's own changes, field by field."""

from crm_console.domain import customer_edit as edit

RECORD = {"name": "李秀英", "mobile": "+8613800138000", "other_mobiles": ["+8613900139000"], "email": None,
          "gender": "female", "birth_date": "1985-04-02", "province": "北京市", "city": "北京", "address": None}


def test_only_the_fields_the_user_changed_are_sent_and_an_emptied_one_is_cleared():
    was = edit.shown(RECORD)
    typed = edit.typed({**was, "mobile": " 13700137000 ", "city": "", "other_mobiles": "13900139000\r\n\r\n"})
    changed = edit.changes(was, typed)
    assert edit.body_of(changed) == {"mobile": "13700137000", "city": None, "other_mobiles": ["13900139000"]}


def test_a_name_cannot_be_emptied_and_the_service_pointers_name_the_form_fields():
    assert edit.missing({"name": ""}) == {"name": "customer_edit.invalid.name"}
    assert edit.field_errors({"other_mobiles/1": "not a mobile", "kind": "x"}) == {
        "other_mobiles": "customer_edit.invalid.other_mobiles"}


def test_a_stale_edit_lists_my_change_and_the_colleagues_and_keeps_their_other_fields_on_re_apply():
    was = edit.shown(RECORD)
    now = {**was, "city": "天津"}
    mine = {**was, "mobile": "13700137000"}
    differences = {d.field: d for d in edit.stale(was, now, mine)}
    assert set(differences) == {"mobile", "city"}
    assert differences["city"].moved and not differences["mobile"].moved
    assert {**now, **edit.changes(was, mine)}["city"] == "天津"

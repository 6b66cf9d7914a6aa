"""The inbox row's second line: subject and preview, each said once."""

from agent_desktop.ui.inbox_delegate import second_line


def test_subject_and_preview_are_joined_when_they_differ():
    assert second_line("Refund", "When will it arrive?") == "Refund · When will it arrive?"


def test_a_preview_that_repeats_the_subject_is_said_once():
    assert second_line("我的订单还没有发货，请帮我查一下。", "我的订单还没有发货，请帮我查一下。") == "我的订单还没有发货，请帮我查一下。"
    assert second_line("My order has not", "My order has not arrived yet.") == "My order has not arrived yet."
    assert second_line("Invoice address is wrong, please fix", "Invoice address") == "Invoice address is wrong, please fix"


def test_either_alone_is_shown_alone():
    assert second_line("", "hello") == "hello" and second_line("Subject", "") == "Subject" and second_line("", "") == ""

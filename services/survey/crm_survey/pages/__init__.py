"""The customer's side of a survey link in a browser: the questionnaire, thank-you and kind error pages.

Texts come from the message catalogues in `messages/` (zh-CN, en); templates hold no words of their own.
"""

"""Reader comments, reviewed before publication (先审后发): the pure core.

``model`` (the comment, its statuses and reason codes), ``lifecycle`` (who may move a comment
where, and the audit event each move leaves), ``identity`` (phone numbers kept only as a keyed
hash, verification codes, commenter tokens), ``screen`` (the shared screening rules applied to a
comment), ``schedule`` (open and closed articles, quiet hours), ``keys`` (article keys, index
keys, cursors) and ``config``. No AWS, clock or randomness: callers pass them in.
"""

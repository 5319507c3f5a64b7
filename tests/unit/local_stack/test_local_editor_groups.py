"""`make run`'s printed editor may do everything the page offers: it is in `editors` and `admins`
(erasure and export of personal data are for admins, issue 9)."""

from __future__ import annotations

from infra.local.extensions import create_local_editor


class FakeCognito:
    def __init__(self) -> None:
        self.groups: list[str] = []

    def admin_create_user(self, **kwargs: object) -> None: ...

    def admin_set_user_password(self, **kwargs: object) -> None: ...

    def admin_add_user_to_group(self, *, UserPoolId: str, Username: str, GroupName: str) -> None:
        assert UserPoolId == "pool-1" and Username == "editor@news.example.cn"
        self.groups.append(GroupName)


class FakeStack:
    def __init__(self, groups: tuple[str, ...]) -> None:
        self.pool_groups = groups
        self.parameters = {"SiteDomains": "news.example.cn"}
        self.cognito = FakeCognito()
        self.editor_credentials: tuple[str, str] | None = None

    def user_pool_with_group(self, name: str) -> str | None:
        return "pool-1" if name in self.pool_groups else None

    def aws(self, service: str) -> FakeCognito:
        assert service == "cognito-idp"
        return self.cognito


def test_the_local_editor_is_in_editors_and_admins(monkeypatch):
    monkeypatch.delenv("LOCAL_EDITOR_EMAIL", raising=False)
    stack = FakeStack(("editors", "admins"))

    ready = create_local_editor(stack)  # type: ignore[arg-type]

    assert stack.cognito.groups == ["editors", "admins"]
    assert ready and ready[0].startswith("editor=editor@news.example.cn / ")


def test_a_pool_without_an_admins_group_gets_an_editor_only(monkeypatch):
    monkeypatch.delenv("LOCAL_EDITOR_EMAIL", raising=False)
    stack = FakeStack(("editors",))

    create_local_editor(stack)  # type: ignore[arg-type]

    assert stack.cognito.groups == ["editors"]

"""`billing.toml`: project settings, environments and template variables.

Loaded into frozen pydantic models. Secrets never live here: an environment names the
*environment variable* that holds its API key (`api_key_env`), and the key is read only
when a connection is made. Every problem in the file is reported at once, with its line.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, ValidationError, model_validator

from alguna_pricing.model.values import Flag, Frozen
from reconciler.errors import EnvironmentSelectionError, InvalidInputError, ProjectNotFoundError
from reconciler.model.kinds import Kind
from reconciler.source.diagnostics import Diagnostic, sort_key
from reconciler.source.toml_errors import decode_text, toml_error_line, toml_error_message
from reconciler.source.toml_lines import TomlLines
from reconciler.source.validation_errors import diagnostics_from_error

SETTINGS_FILE = "billing.toml"
EnvName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
# Upper case only: a pasted key (sk_live_...) never passes. Its value is never echoed back.
ENV_VAR_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
EnvVarName = Annotated[str, StringConstraints(pattern=ENV_VAR_PATTERN)]


def _inside_project(folder: str) -> str:
    parts = folder.replace("\\", "/").split("/")
    if not folder.strip() or folder.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise ValueError(f"{folder!r} must be a folder inside the project, such as catalog")
    return folder


# A folder inside the project: relative, not empty, no `..` part.
ProjectFolder = Annotated[str, AfterValidator(_inside_project)]


class RateLimits(Frozen):
    """Client-side request budgets per second, by class (the API's documented limits)."""

    standard: Annotated[float, Field(gt=0)] = 100.0
    bulk: Annotated[float, Field(gt=0)] = 10.0
    events: Annotated[float, Field(gt=0)] = 1000.0


DEFAULT_PRICE_INCREASE_WARNING_PERCENT = Decimal(10)
DEFAULT_REQUEST_TIMEOUT = 60.0
DEFAULT_COMMAND_TIMEOUT = 1800.0


class TimeoutSettings(Frozen):
    """Overall deadlines in seconds (docs/settings.md): `request` for one attempt of one
    request, every byte of the answer included (a server trickling bytes is cut off
    there); `command` for all of one command's API work, retries and waits included."""

    request: Annotated[float, Field(gt=0, le=3600)] = DEFAULT_REQUEST_TIMEOUT
    command: Annotated[float, Field(gt=0, le=7 * 24 * 3600)] = DEFAULT_COMMAND_TIMEOUT


class ReviewSettings(Frozen):
    """The plan's money review: a price whose sampled charge rises by more than
    `price_increase_warning_percent` gets a `plan.price_increase` warning."""

    price_increase_warning_percent: Annotated[
        Decimal, Field(ge=0, lt=Decimal(10) ** 9, allow_inf_nan=False)
    ] = DEFAULT_PRICE_INCREASE_WARNING_PERCENT


PolicyName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
PolicyCheck = Literal["replace", "cancel", "price_increase", "protected_environment", "creates"]


class Policy(Frozen):
    """One rule every plan is checked against (`[[policies]]`, docs/settings.md):
    `check` names what it looks at; a plan that breaks it gets a diagnostic coded
    `policy.<name>`, an error (`effect = "deny"`: apply refuses the plan) or a warning
    (`warn`). `environments` and `kinds` narrow it (default: every environment, every
    kind). `above_percent` is the price rise allowed by `price_increase`; `max` the
    creates allowed by `creates`; `reason` is shown with each violation."""

    name: PolicyName
    check: PolicyCheck
    effect: Literal["deny", "warn"] = "deny"
    environments: list[EnvName] | None = None
    kinds: list[Kind] | None = None
    above_percent: (
        Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 9, allow_inf_nan=False)] | None
    ) = None
    max: Annotated[int, Field(ge=0)] | None = None
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @model_validator(mode="after")
    def _parameters_fit_the_check(self) -> Self:
        if (self.check == "price_increase") != (self.above_percent is not None):
            raise ValueError(
                'above_percent is required by check = "price_increase" and allowed only there'
            )
        if (self.check == "creates") != (self.max is not None):
            raise ValueError('max is required by check = "creates" and allowed only there')
        return self

    def applies_to(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments


_LOOPBACK_HOSTS = re.compile(r"^https?://(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(/|$)")
EventTypePattern = Annotated[str, StringConstraints(pattern=r"^[a-z*?_.\[\]-]{1,100}$")]


class WebhookEndpoint(Frozen):
    """A URL of your application that the local emulator delivers this environment's
    webhooks to, signed with the secret held in the environment variable `secret_env`
    (a `whsec_...` value; the secret itself never lives in billing.toml). `billing listen`
    registers these with the emulator. See docs/webhooks.md."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    secret_env: EnvVarName
    events: list[EventTypePattern] | None = Field(
        default=None,
        description="Event types or patterns (subscription.*) to receive; default every type.",
    )
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class EnvironmentSettings(Frozen):
    """One target account: the embedded emulator, or a base URL and the variable that
    holds its API key."""

    api: Literal["embedded"] | None = None
    base_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    api_key_env: EnvVarName | None = None
    db: str | None = Field(
        default=None, description="Embedded only: data file, default .billing/<env>.db."
    )
    protected: Flag = False
    account: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")] | None
    ) = Field(
        default=None,
        description="API environments only: the id of a merchant of the Alguna account this"
        " environment must be; every command checks its key can see it before anything else.",
    )
    rate_limits: RateLimits = RateLimits()
    timeouts: TimeoutSettings = TimeoutSettings()
    review: ReviewSettings | None = Field(
        default=None, description="Overrides the top-level [review] for this environment."
    )
    variables: dict[VariableName, Any] = Field(default_factory=dict)
    # `default=[]`, not `default_factory=list`: pydantic copies a mutable default for each
    # model, and asking for `list`'s signature (to see whether a factory takes the data)
    # compiles the tokenizer's regular expressions, about 1% of validate's start-up.
    webhooks: list[WebhookEndpoint] = Field(
        default=[],
        description="Local environments only (embedded, or a base_url on this machine):"
        " endpoints the emulator delivers webhooks to.",
    )

    @model_validator(mode="after")
    def _webhooks_are_local(self) -> Self:
        """Real Alguna accounts configure endpoints in the dashboard (there is no API for
        it); only the emulator can take them from billing.toml."""
        if self.webhooks and not (
            self.api == "embedded" or _LOOPBACK_HOSTS.match(self.base_url or "")
        ):
            raise ValueError(
                'webhooks can only be declared for a local environment (api = "embedded", or'
                " a base_url on localhost running billing sandbox serve); configure real"
                " endpoints in the Alguna dashboard"
            )
        urls = [endpoint.url for endpoint in self.webhooks]
        if len(set(urls)) != len(urls):
            raise ValueError("each webhooks url may appear only once per environment")
        return self

    @model_validator(mode="after")
    def _one_kind_of_target(self) -> Self:
        if self.api == "embedded":
            if self.base_url is not None or self.api_key_env is not None:
                raise ValueError('an environment with api = "embedded" has no base_url/api_key_env')
            if self.account is not None:
                raise ValueError(
                    'account pins an API environment (base_url); an api = "embedded" one has'
                    " its own local account"
                )
        elif self.base_url is None or self.api_key_env is None:
            raise ValueError('set either api = "embedded", or both base_url and api_key_env')
        return self

    @property
    def embedded(self) -> bool:
        return self.api == "embedded"


class Settings(Frozen):
    default_environment: EnvName
    catalog_dir: ProjectFolder = "catalog"
    plans_dir: ProjectFolder = "plans"
    variables: dict[VariableName, Any] = Field(default_factory=dict)
    review: ReviewSettings = ReviewSettings()
    policies: list[Policy] = Field(
        default=[],
        description="Rules every plan is checked against.",  # copied, as above
    )
    environments: dict[EnvName, EnvironmentSettings] = Field(min_length=1)

    @model_validator(mode="after")
    def _policies_are_consistent(self) -> Self:
        names = [policy.name for policy in self.policies]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"policy names must be unique: {', '.join(twice)} appear twice")
        for policy in self.policies:
            unknown = sorted(set(policy.environments or ()) - set(self.environments))
            if unknown:
                raise ValueError(
                    f"policy {policy.name!r} names undeclared environments:"
                    f" {', '.join(unknown)}; declared: {', '.join(sorted(self.environments))}"
                )
        return self

    def policies_for(self, env: str) -> tuple[Policy, ...]:
        """The policies that apply to plans of `env`, in file order."""
        return tuple(policy for policy in self.policies if policy.applies_to(env))

    @model_validator(mode="after")
    def _default_is_declared(self) -> Self:
        if self.default_environment not in self.environments:
            raise ValueError(
                f"default_environment {self.default_environment!r} is not declared under"
                f" [environments]; declared: {', '.join(sorted(self.environments))}"
            )
        return self

    def select(self, name: str | None) -> str:
        """The environment to use: `name` (from --env or BILLING_ENV) or the default."""
        chosen = name or self.default_environment
        if chosen not in self.environments:
            known = ", ".join(sorted(self.environments))
            raise EnvironmentSelectionError(
                f"unknown environment {chosen!r}; billing.toml declares: {known}"
            )
        return chosen

    def review_for(self, env: str) -> ReviewSettings:
        """The review settings of `env`: its own `[environments.<env>.review]`, else the
        top-level `[review]`."""
        return self.environments[env].review or self.review

    def variables_for(self, env: str) -> dict[str, Any]:
        """Template variables for `env`: the top-level ones, overridden by the
        environment's, plus `env` (the environment's name)."""
        return {**self.variables, **self.environments[env].variables, "env": env}


def find_project(explicit: Path | None, start: Path | None = None) -> Path:
    """The project folder: `explicit`, else the nearest folder upwards with billing.toml."""
    if explicit is not None:
        if not (explicit / SETTINGS_FILE).is_file():
            raise ProjectNotFoundError(f"no {SETTINGS_FILE} in {explicit}")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise ProjectNotFoundError(
        f"no {SETTINGS_FILE} in {here} or any parent folder (use --project DIR)"
    )


def parse_settings(text: str, file: str = SETTINGS_FILE) -> Settings:
    """Parse billing.toml text; InvalidInputError with every problem, each with its line."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to convert
        diagnostic = Diagnostic(
            code="toml.syntax",
            message=toml_error_message(exc),
            file=file,
            line=toml_error_line(exc, text),
        )
        raise InvalidInputError([diagnostic], f"{file} is not valid TOML") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = TomlLines(text)
        diagnostics = [
            d
            for d in diagnostics_from_error(
                exc, file=file, prefix=(), find_line=lines.line_of, model=Settings
            )
            if d.field is not None  # the model-level check, reported below with its line
        ]
        diagnostics += _check_default_environment(data, file, lines)
        diagnostics += _check_policies(data, file, lines)
        diagnostics = _without_secrets(diagnostics, data)
        raise InvalidInputError(sorted(diagnostics, key=sort_key), f"{file} has problems") from None


_PASTED_KEY = (
    "api_key_env names an environment variable such as ALGUNA_API_KEY; it looks like a key"
    " was pasted here — remove it and rotate that key"
)
_NOT_A_NAME = (
    "api_key_env must name an environment variable in upper case (letters A-Z, digits and _),"
    " such as ALGUNA_API_KEY"
)


def _looks_like_a_key(value: str) -> bool:
    has_lower = any(c.islower() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return value.lower().startswith("sk_") or len(value) > 64 or (has_lower and has_digit)


def _without_secrets(diagnostics: list[Diagnostic], data: dict[str, Any]) -> list[Diagnostic]:
    """An `api_key_env` that is not a variable name may be a pasted key: its diagnostic gets
    a fixed message, and no message may contain the value."""
    environments = data.get("environments")
    bad: dict[str, str] = {}  # field path -> the value, which must not be printed
    if isinstance(environments, dict):
        for name, env in environments.items():
            value = env.get("api_key_env") if isinstance(env, dict) else None
            if isinstance(value, str) and not re.fullmatch(ENV_VAR_PATTERN, value):
                bad[f"environments.{name}.api_key_env"] = value
    secrets = [value for value in bad.values() if _looks_like_a_key(value)]
    out: list[Diagnostic] = []
    for d in diagnostics:
        value = bad.get(d.field or "")
        if value is not None and d.code == "field.format":
            message = _PASTED_KEY if _looks_like_a_key(value) else _NOT_A_NAME
            d = d.model_copy(update={"message": message})
        for secret in secrets:
            if secret in d.message:
                d = d.model_copy(update={"message": d.message.replace(secret, "<redacted>")})
        out.append(d)
    return out


def _check_default_environment(
    data: dict[str, Any], file: str, lines: TomlLines
) -> list[Diagnostic]:
    """`default_environment` must name a declared environment. Checked on the raw data so
    it is reported together with any other problem of the file."""
    default = data.get("default_environment")
    environments = data.get("environments")
    if not isinstance(default, str) or not isinstance(environments, dict):
        return []
    if default in environments:
        return []
    declared = ", ".join(sorted(str(name) for name in environments)) or "none"
    return [
        Diagnostic(
            code="settings.default_environment",
            message=f"default_environment {default!r} is not declared under [environments];"
            f" declared: {declared}",
            file=file,
            line=lines.line_of(("default_environment",)),
            field="default_environment",
        )
    ]


def _check_policies(data: dict[str, Any], file: str, lines: TomlLines) -> list[Diagnostic]:
    """Policy names are unique and name declared environments (the model-level checks
    of `Settings`, on the raw data so each is reported with its line)."""
    policies = data.get("policies")
    environments = data.get("environments")
    if not isinstance(policies, list):
        return []
    declared = set(environments) if isinstance(environments, dict) else set()
    found: list[Diagnostic] = []
    seen: set[str] = set()
    for index, policy in enumerate(policies):
        if not isinstance(policy, dict):
            continue
        name = policy.get("name")
        if isinstance(name, str) and name in seen:
            found.append(
                Diagnostic(
                    code="settings.policy",
                    message=f"policy name {name!r} is used twice; names must be unique",
                    file=file,
                    line=lines.line_of(("policies", index, "name")),
                    field=f"policies[{index}].name",
                )
            )
        seen.add(str(name))
        named = policy.get("environments")
        unknown = (
            sorted(str(e) for e in named if isinstance(e, str) and e not in declared)
            if isinstance(named, list) and declared
            else []
        )
        if unknown:
            found.append(
                Diagnostic(
                    code="settings.policy",
                    message=f"policy {name!r} names undeclared environments:"
                    f" {', '.join(unknown)}; declared: {', '.join(sorted(declared))}",
                    file=file,
                    line=lines.line_of(("policies", index, "environments")),
                    field=f"policies[{index}].environments",
                )
            )
    return found


def load_settings(project: Path) -> Settings:
    path = project / SETTINGS_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectNotFoundError(f"cannot read {path}: {exc.strerror}") from None
    text = decode_text(raw)
    if isinstance(text, int):
        raise InvalidInputError(
            [
                Diagnostic(
                    code="file.encoding", message="not UTF-8 text", file=SETTINGS_FILE, line=text
                )
            ],
            f"{SETTINGS_FILE} is not UTF-8 text",
        )
    return parse_settings(text)

"""Discover plugins through entry points and index their components by kind and name.

Built-in plugins load through the very same entry-point group
(``skeletonllm``) as third-party packages, so the built-ins are proof that
the public path works. A plugin that fails to import is skipped with a
warning naming its distribution and the exception: one broken package never
takes the tool down. ``SKELETONLLM_LOAD_PLUGINS`` (comma-separated entry
point or distribution names; ``builtin`` = only the built-ins; empty = none)
restricts what loads. Third-party code runs under :mod:`.plugin_guard`: what it
prints goes to stderr, and one that hangs is named after a few seconds.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import warnings
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from . import hookspecs
from .declarations import PluginInfo, declared
from .errors import OptionsError, PluginError, UnknownPluginError
from .hookspecs import LazyComponent
from .kinds import KINDS, interface
from .plugin_guard import stdout_to_stderr, watchdog

ENTRY_POINT_GROUP = "skeletonllm"
LOAD_ENV = "SKELETONLLM_LOAD_PLUGINS"
#: the distribution that ships the built-in plugins: its components win any name clash
BUILTIN_DISTRIBUTION = "skeletonllm"
#: the ``SKELETONLLM_LOAD_PLUGINS`` value (or ``--no-plugins``) that loads only the built-ins
BUILTIN_ONLY = "builtin"
#: what a plugin may raise while loading or registering without taking the tool down with it;
#: SystemExit and KeyboardInterrupt included, since a plugin's import is not the user's Ctrl-C
PLUGIN_FAILURES = (Exception, SystemExit, KeyboardInterrupt)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def option_problems(exc: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """``(dotted field path, message)`` per error; an unknown key gets the model's close field names."""
    out = []
    for err in exc.errors():
        loc = ".".join(map(str, err["loc"]))
        message = err["msg"]
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            close = difflib.get_close_matches(str(err["loc"][0]), list(model.model_fields), n=3, cutoff=0.6)
            if close:
                message += f"; did you mean {', '.join(repr(c) for c in close)}?"
        out.append((loc, message))
    return out


class Registry:
    """Every installed component by kind and name.

    Plugin modules load when the registry is made (they must be cheap to import);
    their registration hooks run on the first lookup, so ``skeletonllm --help``,
    which only asks plugins for commands, imports no component.
    """

    def __init__(self, load_entry_points: bool = True, strict: bool = False) -> None:
        self.strict = strict
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._origin: dict[str, tuple[str, str, str]] = {}  # plugin name -> (dist, version, entry point)
        self._by_kind: dict[str, dict[str, PluginInfo]] = {k: {} for k in KINDS}
        self._uncollected: list[str] = []  # plugins whose registration hooks have not run yet
        self._problems: list[str] = []
        if load_entry_points:
            self._load_entry_points()

    # -- loading ---------------------------------------------------------------
    def _wanted(self) -> set[str] | None:
        raw = os.environ.get(LOAD_ENV)
        if raw is None:
            return None
        names = {n.strip() for n in raw.split(",") if n.strip()}
        return names | {BUILTIN_DISTRIBUTION} if BUILTIN_ONLY in names else names

    def _load_entry_points(self) -> None:
        wanted = self._wanted()

        # built-ins first, so a third-party component can never displace one by sorting earlier
        def order(e: metadata.EntryPoint) -> tuple[bool, str]:
            return ((e.dist.name if e.dist else "") != BUILTIN_DISTRIBUTION, e.name)

        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=order):
            dist = ep.dist.name if ep.dist else "?"
            version = ep.dist.version if ep.dist else "?"
            if wanted is not None and ep.name not in wanted and dist not in wanted:
                continue
            name = ep.name
            if self.pm.has_plugin(name):
                if self._origin.get(name, ("?",))[0] == dist:
                    continue  # the same distribution seen twice on sys.path
                name = f"{dist}:{ep.name}"  # another package chose a taken name: load it, and say so
                self._problem(
                    f"plugin {ep.name!r} from distribution {dist!r}: the name is taken by the plugin from "
                    f"{self._origin[ep.name][0]!r}; loading it as {name!r} (rename the entry point)"
                )
            try:
                with _guarded(dist, f"importing plugin {ep.name!r} from distribution {dist!r}"):
                    module = ep.load()
            except PLUGIN_FAILURES as exc:  # isolate any broken plugin, even one that calls sys.exit()
                self._problem(f"plugin {ep.name!r} from distribution {dist!r} failed to load: {_describe(exc)}")
                continue
            self.add_plugin(module, name, dist, version, f"{ep.name} = {ep.value}", collect=False)

    def add_plugin(
        self,
        module: Any,
        name: str,
        distribution: str = "?",
        version: str = "?",
        entry_point: str = "",
        collect: bool = True,
    ) -> None:
        """Register a plugin object (a module or any object with ``@hookimpl`` functions).

        ``collect=False`` defers its registration hooks to the first lookup (entry points).
        """
        if self.pm.has_plugin(name):
            raise PluginError(f"a plugin named {name!r} is already registered")
        self.pm.register(module, name=name)
        self._origin[name] = (distribution, version, entry_point or name)
        if collect:
            self._collect(name)
        else:
            self._uncollected.append(name)

    def remove_plugin(self, name: str) -> None:
        self.pm.unregister(name=name)
        for table in self._by_kind.values():
            for comp in [n for n, info in table.items() if info.plugin == name]:
                del table[comp]
        self._origin.pop(name, None)
        if name in self._uncollected:
            self._uncollected.remove(name)

    @property
    def problems(self) -> list[str]:
        """Every plugin that failed to load or register (runs pending registration hooks first)."""
        self._table("format")
        return list(self._problems)

    def _problem(self, message: str) -> None:
        self._problems.append(message)
        if self.strict:
            raise PluginError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)

    def _collect(self, plugin_name: str) -> None:
        plugin = self.pm.get_plugin(plugin_name)
        dist, version, ep = self._origin[plugin_name]
        for kind, row in KINDS.items():
            hook_name = row.hook
            for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                if impl.plugin is not plugin:
                    continue

                def register(cls: type | LazyComponent, _kind: str = kind) -> None:
                    self._register_component(_kind, cls, plugin_name, dist, version, ep)

                try:
                    with _guarded(dist, f"running {hook_name} of plugin {plugin_name!r} from distribution {dist!r}"):
                        impl.function(register=register)
                except PluginError:
                    raise
                except PLUGIN_FAILURES as exc:
                    self._problem(
                        f"plugin {plugin_name!r} from distribution {dist!r} failed in {hook_name}: {_describe(exc)}"
                    )

    def _register_component(
        self, kind: str, obj: type | str | LazyComponent, plugin: str, dist: str, version: str, ep: str
    ) -> None:
        default_for = None
        if isinstance(obj, str):
            obj = LazyComponent(obj)
        if isinstance(obj, LazyComponent):
            name, summary, cls = obj.name, obj.summary, None
            if not name:  # registered by import path only: the class's own declarations, read without importing
                try:
                    found = declared(obj.target)
                    cls = obj.load() if found is None else None  # no literal name in its body: import it
                except PLUGIN_FAILURES as exc:
                    self._problem(
                        f"plugin {plugin!r} registered {obj.target!r}, which cannot be read: {_describe(exc)}"
                    )
                    return
                if found is not None:
                    name, summary, default_for = found.name, found.summary, found.default_for
        else:
            cls = obj
        if cls is not None:
            problem = _class_problem(kind, cls, plugin)
            if problem:
                self._problem(problem)
                return
            name, summary = cls.name, _summary_of(cls)
        if not name:
            self._problem(f"plugin {plugin!r} registered {obj!r} without a name")
            return
        table = self._by_kind[kind]
        if name in table:
            other = table[name]
            if dist == BUILTIN_DISTRIBUTION and other.distribution != BUILTIN_DISTRIBUTION:
                self._problem(
                    f"duplicate {kind} name {name!r}: plugin {other.plugin!r} from distribution "
                    f"{other.distribution!r} registered it too; the built-in {kind} wins, ignoring the third-party one"
                )
            else:
                self._problem(
                    f"duplicate {kind} name {name!r}: plugin {plugin!r} from distribution {dist!r} tried to register "
                    f"it, but plugin {other.plugin!r} ({other.distribution}) already did; keeping the "
                    + ("built-in" if other.distribution == BUILTIN_DISTRIBUTION else "first")
                )
                return

        def load() -> type:
            try:
                loaded = obj.load()
            except Exception as exc:  # noqa: BLE001 - say which plugin, whatever broke
                raise PluginError(
                    f"{kind} {name!r} from plugin {plugin!r} ({dist}) failed to import {obj.target}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            problem = _class_problem(kind, loaded, plugin)
            if not problem and loaded.name != name:
                problem = f"plugin {plugin!r} registered {name!r} lazily, but {obj.target} is named {loaded.name!r}"
            if not problem and getattr(loaded, "summary", "") not in ("", summary):
                problem = f"plugin {plugin!r} registered {name!r} with a summary that differs from {obj.target}.summary"
            if not problem and default_for is not None and tuple(loaded.default_for) != default_for:
                problem = (
                    f"{obj.target}.default_for is {loaded.default_for!r} once imported, {default_for!r} in its source"
                )
            if problem:
                raise PluginError(problem)
            return loaded

        table[name] = PluginInfo(name, kind, plugin, dist, version, ep, summary, load, cls, default_for)

    def register_commands(self, cli: Any) -> None:
        """Let each plugin add commands; one that raises is skipped with a warning, not a broken --help."""
        for impl in self.pm.hook.register_commands.get_hookimpls():
            dist = self._origin.get(impl.plugin_name, ("?",))[0]
            try:
                with _guarded(dist, f"running register_commands of plugin {impl.plugin_name!r} from {dist!r}"):
                    impl.function(cli=cli)
            except PLUGIN_FAILURES as exc:
                self._problem(
                    f"plugin {impl.plugin_name!r} from distribution {dist!r} failed in register_commands: "
                    f"{_describe(exc)}"
                )

    # -- lookup ----------------------------------------------------------------
    def names(self, kind: str) -> list[str]:
        return sorted(self._table(kind))

    def infos(self, kind: str | None = None) -> list[PluginInfo]:
        kinds = [kind] if kind else list(self._by_kind)
        return [self._by_kind[k][n] for k in kinds for n in sorted(self._table(k))]

    def _table(self, kind: str) -> dict[str, PluginInfo]:
        while self._uncollected:
            self._collect(self._uncollected.pop(0))
        if kind not in self._by_kind:
            raise UnknownPluginError(f"unknown plugin kind {kind!r}; kinds: {', '.join(self._by_kind)}")
        return self._by_kind[kind]

    def info(self, kind: str, name: str) -> PluginInfo:
        table = self._table(kind)
        if name in table:
            return table[name]
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        elsewhere = [k for k in self._by_kind if k != kind and name in self._table(k)]
        if elsewhere:
            hint += f" ({name!r} is a {elsewhere[0]}, not a {kind})"
        available = ", ".join(sorted(table)) or "none installed"
        raise UnknownPluginError(f"unknown {kind} {name!r}{hint} Available {kind}s: {available}")

    def get(self, kind: str, name: str) -> type:
        return self.info(kind, name).cls

    def default(self, kind: str, purpose: str) -> str:
        """The ``kind`` a plugin declares the default for ``purpose`` (``default_for``); built-ins win a tie.

        E.g. ``default("metric", "recognition")`` is the metric a spec with ``eval.task: recognition``
        and no ``eval.metrics`` gets. The core asks here instead of naming a plugin's component.
        """
        found = [info for info in self.infos(kind) if purpose in self._defaults_of(info)]
        if not found:
            raise UnknownPluginError(
                f"no installed {kind} declares itself the default for {purpose!r} (default_for); name one "
                f"explicitly. Available {kind}s: {', '.join(self.names(kind)) or 'none installed'}"
            )
        found.sort(key=lambda info: (info.distribution != BUILTIN_DISTRIBUTION, info.name))
        if len(found) > 1 and found[1].distribution == found[0].distribution:
            others = ", ".join(repr(i.name) for i in found[1:])
            self._problem(f"several {kind}s are the default for {purpose!r}: using {found[0].name!r}, not {others}")
        return found[0].name

    def _defaults_of(self, info: PluginInfo) -> tuple[str, ...]:
        """``info.default_for``; a component that fails to import declares nothing (and is reported)."""
        try:
            return info.default_for
        except PluginError as exc:
            self._problem(str(exc))
            return ()

    def options(self, kind: str, name: str, values: dict[str, Any] | None = None) -> BaseModel:
        return self.get(kind, name).Options.model_validate(values or {})

    def create(self, kind: str, name: str, options: dict[str, Any] | BaseModel | None = None) -> Any:
        """Instantiate a component; ``options`` is validated by its Options model first."""
        cls = self.get(kind, name)
        if not isinstance(options, BaseModel):
            try:
                options = cls.Options.model_validate(options or {})
            except ValidationError as exc:
                problems = "; ".join(f"{loc or '<options>'}: {msg}" for loc, msg in option_problems(exc, cls.Options))
                raise OptionsError(f"{kind} {name!r}: {problems}") from None
        return cls(options)


def _summary_of(cls: type) -> str:
    """The class's ``summary``, else the first line of its docstring."""
    return getattr(cls, "summary", "") or next(iter((cls.__doc__ or "").strip().splitlines()), "")


@contextlib.contextmanager
def _guarded(dist: str, doing: str) -> Iterator[None]:
    """Plugin code prints to stderr, never into a command's output; a third-party one that hangs is named."""
    with stdout_to_stderr(), watchdog(doing) if dist != BUILTIN_DISTRIBUTION else contextlib.nullcontext():
        yield


def _class_problem(kind: str, cls: Any, plugin: str) -> str | None:
    """Why ``cls`` cannot be a ``kind`` component, or None."""
    base = interface(kind)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        return f"plugin {plugin!r} registered {cls!r} as a {kind}, but it is not a {base.__name__} subclass"
    if not getattr(cls, "name", ""):
        return f"plugin {plugin!r} registered {cls.__name__} without a name"
    options = getattr(cls, "Options", None)
    if not (isinstance(options, type) and issubclass(options, BaseModel)):
        return f"{kind} {cls.name!r} from plugin {plugin!r} has no pydantic Options model"
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        return f"{kind} {cls.name!r} from plugin {plugin!r} does not implement {', '.join(missing)} of {base.__name__}"
    return None


_REGISTRY: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry()
    return _REGISTRY


def reset_registry() -> None:
    """Forget the loaded registry (tests, or after installing a plugin at run time)."""
    global _REGISTRY
    _REGISTRY = None

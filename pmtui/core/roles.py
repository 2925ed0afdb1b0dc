"""Who works the incident: `/role`, `/join`, `/leave`, `/handover`, and authors.

Pure functions over the responders list: each returns the new list (the
model's records are immutable) and the words the timeline logs. The session
applies them, with undo. A role is held by one person at a time, and a
person holds one role: giving a role takes it from whoever held it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from pmtui.core.model import Incident, Responder

COMMANDER = "commander"
# words an IC may type for the commander's role
_COMMANDER_WORDS = {"commander", "ic", "incident-commander", "lead"}


class StaffError(ValueError):
    """A staffing command that cannot be applied; str() is one line for the IC."""


def login_name() -> str:
    """The login name: the default author while no commander is named."""
    name = os.environ.get("LOGNAME") or os.environ.get("USER")
    if name:
        return name
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # no entry for this uid (a container)
        return f"uid{os.getuid()}"


@dataclass(frozen=True)
class Staffing:
    """What a staffing command does: the new list, the entry text, the toast."""

    responders: list[Responder]
    text: str
    message: str
    commander: str | None = None  # the new commander, when command changed hands


def role_word(word: str) -> str:
    word = word.strip().lower()
    return COMMANDER if word in _COMMANDER_WORDS else word


def _present(responders: list[Responder], name: str) -> int | None:
    folded = name.casefold()
    for index, person in enumerate(responders):
        if person.here and person.name.casefold() == folded:
            return index
    return None


def _names(responders: list[Responder]) -> str:
    here = [person.name for person in responders if person.here]
    return ", ".join(here) if here else "nobody yet"


def _check_name(name: str, usage: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise StaffError(f"{usage} needs a name")
    if len(name) > 80:
        raise StaffError(f"{usage}: a name of at most 80 characters")
    return name


def give_role(incident: Incident, role: str, name: str, at: datetime) -> Staffing:
    """`/role comms Ana`: Ana holds comms from now (joining if she was not here)."""
    role = role_word(role)
    name = _check_name(name, "/role ROLE NAME")
    if not role:
        raise StaffError("/role needs a role and a name: /role comms Ana")
    swapped = _present(incident.responders, role)
    if swapped is not None:  # "/role Ana comms": the role comes first
        who = incident.responders[swapped].name
        raise StaffError(f"the role comes first: /role {name.split()[0].lower()} {who}")
    people = list(incident.responders)
    before = None
    for number, person in enumerate(people):
        if person.here and person.role == role and person.name.casefold() != name.casefold():
            before = person.name
            people[number] = person.model_copy(update={"role": None})
    index = _present(people, name)
    if index is None:
        people.append(Responder(name=name, role=role, joined=at))
        text = f"{name} joined as {role}"
    else:
        name = people[index].name
        if people[index].role == role:
            raise StaffError(f"{name} is already {role}")
        people[index] = people[index].model_copy(update={"role": role})
        text = f"{name} is now {role}"
    if role == COMMANDER and not before and incident.commander:
        before = incident.commander if incident.commander.casefold() != name.casefold() else None
    if before:
        text += f" (was {before})"
    return Staffing(people, text, text, name if role == COMMANDER else None)


def join(incident: Incident, name: str, at: datetime) -> Staffing:
    """`/join Ben`: Ben works the incident from now, with no role yet."""
    name = _check_name(name, "/join NAME")
    index = _present(incident.responders, name)
    if index is not None:
        raise StaffError(f"{incident.responders[index].name} is already on the incident")
    people = [*incident.responders, Responder(name=name, joined=at)]
    return Staffing(people, f"{name} joined", f"{name} joined (/role ROLE {name} gives a role)")


def leave(incident: Incident, name: str, at: datetime) -> Staffing:
    """`/leave Ben`: Ben left now; his role is free."""
    name = _check_name(name, "/leave NAME")
    people = list(incident.responders)
    index = _present(people, name)
    if index is None:
        raise StaffError(f"{name} is not on the incident (here: {_names(people)})")
    person = people[index]
    people[index] = person.model_copy(update={"left": at})
    text = f"{person.name} left" + (f" (was {person.role})" if person.role else "")
    message = text
    if person.role == COMMANDER or (incident.commander or "").casefold() == name.casefold():
        message += f"; {person.name} is still the commander: /handover NAME passes command"
    return Staffing(people, text, message)


def handover(incident: Incident, name: str, at: datetime) -> Staffing:
    """`/handover Dana`: command passes to Dana; the outgoing IC stays, with no role."""
    name = _check_name(name, "/handover NAME")
    outgoing = incident.commander
    if outgoing and outgoing.casefold() == name.casefold():
        raise StaffError(f"{outgoing} is already the commander")
    people = list(incident.responders)
    for number, person in enumerate(people):
        if person.here and person.role == COMMANDER:
            people[number] = person.model_copy(update={"role": None})
    if outgoing and _present(people, outgoing) is None:  # named at `pmtui new`: keep them
        people.append(Responder(name=outgoing))
    index = _present(people, name)
    if index is None:
        people.append(Responder(name=name, role=COMMANDER, joined=at))
    else:
        name = people[index].name
        people[index] = people[index].model_copy(update={"role": COMMANDER})
    text = f"Handover: {outgoing} hands command to {name}" if outgoing else f"{name} takes command"
    return Staffing(people, text, text, name)


def holders(incident: Incident) -> list[tuple[str, str]]:
    """(role, name) for each role held now, the commander first: the commander is
    the incident's `commander` (the summary editor may have set it alone)."""
    held = [
        (p.role, p.name) for p in incident.responders if p.here and p.role and p.role != COMMANDER
    ]
    held.sort(key=lambda pair: pair[0])
    return ([(COMMANDER, incident.commander)] if incident.commander else []) + held


def responders_rows(incident: Incident) -> list[dict[str, str]]:
    """Every responder for the export: name, role, joined and left (local, 'HH:MM'
    or '' when not known). Plain strings: the template escapes them as it escapes
    every user text."""

    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = incident.local(moment)
        return f"{local:%Y-%m-%d %H:%M %Z}"

    return [
        {
            "name": person.name,
            "role": person.role or "",
            "joined": when(person.joined),
            "left": when(person.left),
        }
        for person in incident.responders
    ]

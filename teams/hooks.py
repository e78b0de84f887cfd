"""Where an app above teams adds to the teams pages, since teams cannot import it.

An app registers its functions in its AppConfig.ready(); the teams templates call them
through the tags of `teams_tags`. A function returns HTML it rendered itself (or "" for
nothing), and sees the request (the person, and the CSRF token its forms need) and the team
or meeting.

- team sections: `fn(*, request, team) -> str`, shown on the team's page;
- agenda item panels: `fn(*, request, meeting, items) -> {item id: html}`, shown beside each
  item of the meeting page, for all its items at once (no query per item);
- meeting sections: `fn(*, request, meeting) -> str`, shown under the meeting's agenda.
"""

from __future__ import annotations

from collections.abc import Callable

TeamSection = Callable[..., str]
AgendaPanels = Callable[..., dict[int, str]]

_team_sections: list[TeamSection] = []
_agenda_panels: list[AgendaPanels] = []
_meeting_sections: list[TeamSection] = []


def register_team_section(section: TeamSection) -> None:
    if section not in _team_sections:
        _team_sections.append(section)


def register_agenda_panels(panels: AgendaPanels) -> None:
    if panels not in _agenda_panels:
        _agenda_panels.append(panels)


def register_meeting_section(section: TeamSection) -> None:
    if section not in _meeting_sections:
        _meeting_sections.append(section)


def meeting_sections(*, request, meeting) -> list[str]:
    return [
        html for section in _meeting_sections if (html := section(request=request, meeting=meeting))
    ]


def team_sections(*, request, team) -> list[str]:
    return [html for section in _team_sections if (html := section(request=request, team=team))]


def agenda_panels(*, request, meeting, items) -> dict[int, list[str]]:
    shown: dict[int, list[str]] = {}
    for panels in _agenda_panels:
        for item_id, html in panels(request=request, meeting=meeting, items=items).items():
            if html:
                shown.setdefault(item_id, []).append(html)
    return shown

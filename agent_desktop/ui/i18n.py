"""Loading the interface language: our translations and Qt's own (buttons, dialogs)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from .resources import translations_dir

log = logging.getLogger(__name__)
_keep: list[QTranslator] = []  # translators must outlive the app's use of them


def pick_language(requested: str | None) -> str:
    if requested:
        return requested
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def install(app: QCoreApplication, requested: str | None) -> str:
    language = pick_language(requested)
    QLocale.setDefault(QLocale(language))
    if language != "en":
        ours = QTranslator(app)
        catalogue = translations_dir() / f"agent_desktop_{language}.qm"
        if ours.load(str(catalogue)):
            app.installTranslator(ours)
            _keep.append(ours)
        else:  # a broken install: say so in the log instead of silently showing English
            log.warning("interface translation not found or unreadable: %s", catalogue)
        qt = QTranslator(app)
        if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
            _keep.append(qt)
    return language


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)

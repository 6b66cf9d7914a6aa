"""Chinese for the knowledge tabs, as a translator installed beside the app's .qm.

Kept here until the lead merges these entries into resources/i18n/agent_desktop_zh_CN.ts (the
shared file several features edit); Qt asks translators newest first, and a None answer falls
through to the next one, so the app's own translations are untouched.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

_ZH: dict[tuple[str, str], str] = {
    ("MainWindow", "话术 Scripts"): "话术",
    ("MainWindow", "FAQ"): "知识库",
    ("MainWindow", "Guided"): "引导话术",
    ("Knowledge", "Pre-sales"): "售前",
    ("Knowledge", "After-sales"): "售后",
    ("Knowledge", "Complaints"): "投诉",
    ("Knowledge", "General"): "通用",
    ("Composer", "Ctrl+Enter to send · Ctrl+Shift+N reply/note · / scripts"):
        "Ctrl+Enter 发送 · Ctrl+Shift+N 切换回复/备注 · / 插入话术",
    ("Composer", "Fill in the highlighted {{…}} (Tab jumps to the next)"): "请填写高亮的 {{…}}（Tab 跳到下一处）",
    ("Composer", "Not sent: fill in the highlighted {{…}} first"): "未发送：请先填写高亮的 {{…}}",
    ("Composer", "No script matches “%1”"): "没有匹配“%1”的话术",
    ("ScriptsPanel", "Search scripts: shortcut, title or words (中文 / English)"): "搜索话术：快捷码、标题或内容（中文 / English）",
    ("ScriptsPanel", "All categories"): "全部分类",
    ("ScriptsPanel", "My scripts"): "我的话术",
    ("ScriptsPanel", "&Insert"): "插入(&I)",
    ("ScriptsPanel", "Insert into the reply (Enter)"): "插入到回复（Enter）",
    ("ScriptsPanel", "&New"): "新建(&N)",
    ("ScriptsPanel", "&Edit"): "编辑(&E)",
    ("ScriptsPanel", "&Delete"): "删除(&D)",
    ("ScriptsPanel", "guided"): "引导",
    ("ScriptsPanel", "mine"): "我的",
    ("ScriptsPanel", "used %1 times"): "已使用 %1 次",
    ("ScriptsPanel", "Used %1 times"): "已使用 %1 次",
    ("ScriptsPanel", "waiting to sync"): "等待同步",
    ("ScriptsPanel", "No scripts match."): "没有匹配的话术。",
    ("ScriptsPanel", "A guided call script with %1 steps: run it from the Guided tab."):
        "引导话术，共 %1 步：请在“引导话术”标签中运行。",
    ("ScriptsPanel", "Script"): "话术",
    ("ScriptsPanel", "A script needs a title and a text."): "话术需要标题和内容。",
    ("ScriptsPanel", "Delete script"): "删除话术",
    ("ScriptsPanel", "Delete “%1”?"): "删除“%1”？",
    ("ScriptsPanel", "Script not saved"): "话术未保存",
    ("ScriptDialog", "Edit script"): "编辑话术",
    ("ScriptDialog", "New personal script"): "新建个人话术",
    ("ScriptDialog", "e.g. thanks (type /thanks in the reply)"): "例如 thanks（在回复中输入 /thanks）",
    ("ScriptDialog", "Insert a variable…"): "插入变量…",
    ("ScriptDialog", "&Title"): "标题(&T)",
    ("ScriptDialog", "&Shortcut"): "快捷码(&S)",
    ("ScriptDialog", "&Category"): "分类(&C)",
    ("ScriptDialog", "&Language"): "语言(&L)",
    ("ScriptDialog", "Te&xt"): "内容(&X)",
    ("ScriptDialog", "{{customer.name | 您}} uses 您 when the name is unknown; any other {{…}} must be "
                     "filled in before sending."):
        "{{customer.name | 您}} 在客户姓名未知时显示“您”；其他 {{…}} 需在发送前填写。",
    ("FaqPanel", "Search the FAQ (中文 / English)"): "搜索知识库（中文 / English）",
    ("FaqPanel", "All categories"): "全部分类",
    ("FaqPanel", "Insert &answer"): "插入答案(&A)",
    ("FaqPanel", "Insert the answer into the reply (Enter)"): "把答案插入回复（Enter）",
    ("FaqPanel", "Insert &link"): "插入链接(&L)",
    ("FaqPanel", "&Helpful"): "有帮助(&H)",
    ("FaqPanel", "N&ot helpful"): "没帮助(&O)",
    ("FaqPanel", "Suggested for this conversation"): "为当前会话推荐",
    ("FaqPanel", "%1 articles found"): "找到 %1 篇文章",
    ("FaqPanel", "Newest articles"): "最新文章",
    ("FaqPanel", "No articles match."): "没有匹配的文章。",
    ("FaqPanel", "used %1 times"): "已使用 %1 次",
    ("FaqPanel", "helpful %1 · not helpful %2"): "有帮助 %1 · 没帮助 %2",
    ("FaqPanel", "updated %1"): "更新于 %1",
    ("FaqPanel", "you rated it helpful"): "你评价为有帮助",
    ("FaqPanel", "you rated it not helpful"): "你评价为没帮助",
    ("GuidedScriptPanel", "&Start"): "开始(&S)",
    ("GuidedScriptPanel", "Insert &prompt in reply"): "把提示插入回复(&P)",
    ("GuidedScriptPanel", "&Back"): "上一步(&B)",
    ("GuidedScriptPanel", "&Finish and save note"): "完成并保存备注(&F)",
    ("GuidedScriptPanel", "&Cancel run"): "放弃本次引导(&C)",
    ("GuidedScriptPanel", "Open a conversation, pick a guided script and press Start."):
        "打开一个会话，选择引导话术后点“开始”。",
    ("GuidedScriptPanel", "Guided script"): "引导话术",
    ("GuidedScriptPanel", "Discard the guided script in progress and start another?"): "放弃进行中的引导话术并开始新的？",
    ("GuidedScriptPanel", "done"): "已完成",
    ("GuidedScriptPanel", "The call script is complete. Finish to save the path as an internal note."):
        "通话流程已走完。点“完成”把路径保存为内部备注。",
    ("GuidedScriptPanel", "Step %1: %2"): "第 %1 步：%2",
    ("GuidedScriptPanel", "Customer's answer: %1"): "客户回答：%1",
    ("GuidedScriptPanel", "So far: %1"): "已完成：%1",
}


class KnowledgeTranslator(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None,  # type: ignore[override]
                  n: int = -1) -> str | None:
        return _ZH.get((context, source))   # None: let the next translator (or the source) answer

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


_installed: list[KnowledgeTranslator] = []


def install(language: str) -> None:
    """Once per process, for a Chinese interface."""
    app = QCoreApplication.instance()
    if _installed or app is None or not language.startswith("zh"):
        return
    translator = KnowledgeTranslator(app)
    if app.installTranslator(translator):
        _installed.append(translator)

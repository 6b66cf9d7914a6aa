<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ActionRow</name>
    <message>
        <location filename="../../ui/action_row.py" line="+26"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More actions</source>
        <translation>更多操作</translation>
    </message>
</context>
<context>
    <name>AgentState</name>
    <message>
        <location filename="../../ui/agent_state.py" line="+26"/>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Break</source>
        <translation>小休</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>After-contact work</source>
        <translation>话后处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Lunch</source>
        <translation>午餐</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training</source>
        <translation>培训</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Personal</source>
        <translation>私事</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Coaching</source>
        <translation>辅导</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Missed an offer</source>
        <translation>未接分配</translation>
    </message>
</context>
<context>
    <name>AgentStateWidget</name>
    <message>
        <location line="+15"/>
        <location line="+62"/>
        <source>Your state (Ctrl+Shift+S)</source>
        <translation>我的状态 (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>offline, no offers</source>
        <translation>离线，暂停分配</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached: no contacts are offered until it is back. Your work is kept and sent then.</source>
        <translation>无法连接服务器：恢复前不会分配新接入。您的工作已保存，恢复后自动发送。</translation>
    </message>
    <message>
        <location line="-31"/>
        <location line="+34"/>
        <source>Not taking contacts · choose Available</source>
        <translation>未接入 · 请选择“空闲”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose Available to receive offers (Ctrl+Shift+S)</source>
        <translation>选择“空闲”开始接收分配 (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
</context>
<context>
    <name>AttachmentActions</name>
    <message>
        <location filename="../../ui/attachment_actions.py" line="+89"/>
        <source>Save attachment as</source>
        <translation>附件另存为</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+4"/>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The file could not be saved: %1</source>
        <translation>无法保存文件：%1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is a link or a folder: choose another name.</source>
        <translation>%1 是链接或文件夹：请换一个名称。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file would be saved outside the folder you chose.</source>
        <translation>文件将被保存到您所选文件夹之外。</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+23"/>
        <location line="+4"/>
        <location line="+6"/>
        <source>Not opened</source>
        <translation>未打开</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>“%1” is a program, script or web page: opening it can run code on this computer.</source>
        <translation>“%1”是程序、脚本或网页：打开它可能会在本机上运行代码。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Its name says .%1, but its contents are %2.</source>
        <translation>文件名显示为 .%1，但内容其实是%2。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Its name contains hidden characters that change how it reads.</source>
        <translation>文件名包含会改变其显示方式的隐藏字符。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No program on this computer opens this kind of file. Use Save as… instead.</source>
        <translation>本机没有能打开此类文件的程序。请改用“另存为…”。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open this file?</source>
        <translation>打开此文件？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Be careful with “%1”:</source>
        <translation>请小心“%1”：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open it only if you trust the sender and expected this file.</source>
        <translation>只有在您信任发件人且确实在等这个文件时才打开它。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open anyway</source>
        <translation>仍然打开</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../ui/attachment_tray.py" line="+73"/>
        <source>Remove %1</source>
        <translation>移除 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove (Delete)</source>
        <translation>移除 (Delete)</translation>
    </message>
</context>
<context>
    <name>AttachmentTray</name>
    <message>
        <location line="+64"/>
        <source>Attach file…</source>
        <translation>添加附件…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Attach files (%1), drop them on the reply or paste a picture</source>
        <translation>添加附件（%1），也可把文件拖到回复框或粘贴图片</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Open a conversation first.</source>
        <translation>请先打开一个会话。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>At most %1 files go with one reply.</source>
        <translation>每条回复最多附带 %1 个文件。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>“%1” is not attached: it is larger than this server takes (%2 per file).</source>
        <translation>“%1”未添加：它超过了此服务器的上限（每个文件 %2）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+2"/>
        <source>“%1” is not attached: %2</source>
        <translation>“%1”未添加：%2</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 — attaching…</source>
        <translation>%1 — 正在添加…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Upload cancelled: the reply stays in the outbox to retry or discard.</source>
        <translation>上传已取消：该回复保留在发件箱中，可重试或丢弃。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <location filename="../../ui/attachment_actions.py" line="-123"/>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Picture (%1)</source>
        <translation>图片（%1）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 file</source>
        <translation>%1 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
</context>
<context>
    <name>BackendKind</name>
    <message>
        <location filename="../../ui/connection_text.py" line="+12"/>
        <source>Agent Desktop server</source>
        <translation>Agent Desktop 服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request Tracker 5</source>
        <translation>Request Tracker 5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chatwoot</source>
        <translation>Chatwoot</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zendesk</source>
        <translation>Zendesk</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zammad</source>
        <translation>Zammad</translation>
    </message>
</context>
<context>
    <name>CallbacksView</name>
    <message>
        <location filename="../../ui/callbacks_view.py" line="+150"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Called, the customer is satisfied</source>
        <translation>已回访，客户满意</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reschedule…</source>
        <translation>改期…</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>CSAT %1/5 follow-up</source>
        <translation>满意度 %1/5 回访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSAT follow-up</source>
        <translation>满意度回访</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 callbacks · %2 due now</source>
        <translation>%1 个回访 · %2 个已到期</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Reschedule callback</source>
        <translation>回访改期</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Callback not changed</source>
        <translation>回访未更改</translation>
    </message>
</context>
<context>
    <name>Capability</name>
    <message>
        <location filename="../../ui/capability_text.py" line="+19"/>
        <source>Request Tracker keeps no callbacks this app can schedule: add a reminder to the ticket in RT&apos;s web interface.</source>
        <translation>Request Tracker 没有本应用可以安排的回访：请在 RT 网页界面中为工单添加提醒。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Request Tracker has no satisfaction scores.</source>
        <translation>Request Tracker 没有满意度评分。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request Tracker keeps its users itself: edit the customer in RT&apos;s web interface.</source>
        <translation>Request Tracker 自行管理用户：请在 RT 网页界面中编辑客户。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chatwoot has no scheduled callbacks: snooze the conversation until the time to call back.</source>
        <translation>Chatwoot 没有预约回访：请将会话暂停到回访时间。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In Chatwoot the customer gives the CSAT score in its survey; an agent cannot record one.</source>
        <translation>在 Chatwoot 中，满意度由客户在调查中给出；坐席不能代为记录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer notes and tags are edited on the contact&apos;s page in Chatwoot.</source>
        <translation>客户备注和标签请在 Chatwoot 的联系人页面中编辑。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Zendesk has no scheduled callbacks: put the ticket on hold and note when to call back.</source>
        <translation>Zendesk 没有预约回访：请将工单设为暂停，并注明回访时间。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In Zendesk only the requester gives a satisfaction rating; an agent cannot record one.</source>
        <translation>在 Zendesk 中只有请求者可以给出满意度评价；坐席不能代为记录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer notes and tags are edited on the user&apos;s page in Zendesk.</source>
        <translation>客户备注和标签请在 Zendesk 的用户页面中编辑。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zammad has no scheduled callbacks: set the ticket to “pending reminder” at the time to call back.</source>
        <translation>Zammad 没有预约回访：请将工单设为“待提醒”，时间设为回访时间。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Zammad has no satisfaction scores.</source>
        <translation>Zammad 没有满意度评分。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer notes and tags are edited on the customer&apos;s page in Zammad.</source>
        <translation>客户备注和标签请在 Zammad 的客户页面中编辑。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This server does not support transfers or escalations.</source>
        <translation>此服务器不支持转接或升级。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not support callbacks.</source>
        <translation>此服务器不支持回访。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not support recording CSAT scores.</source>
        <translation>此服务器不支持记录满意度评分。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not support customer notes, tags or linking callers.</source>
        <translation>此服务器不支持客户备注、标签或关联来电客户。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not keep agent states: yours is kept on this computer.</source>
        <translation>此服务器不保存坐席状态：您的状态只保存在本机。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not offer contacts to agents.</source>
        <translation>此服务器不向坐席派发会话。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not tell who else is viewing a conversation.</source>
        <translation>此服务器不提供谁正在查看会话的信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not store personal scripts.</source>
        <translation>此服务器不保存个人话术。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not collect FAQ feedback.</source>
        <translation>此服务器不收集 FAQ 反馈。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server has no live queue statistics: figures come from this computer&apos;s copy.</source>
        <translation>此服务器没有实时队列统计：数字来自本机缓存。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not take attachments: send the file another way.</source>
        <translation>此服务器不接收附件：请用其他方式发送文件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This server does not let a lead reassign work or move agents.</source>
        <translation>此服务器不支持组长改派会话或调整坐席队列。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This server does not support this.</source>
        <translation>此服务器不支持此操作。</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="+176"/>
        <location line="+82"/>
        <source>&amp;Reply</source>
        <translation>回复(&amp;R)</translation>
    </message>
    <message>
        <location line="-78"/>
        <location line="+79"/>
        <source>Internal &amp;note</source>
        <translation>内部备注(&amp;N)</translation>
    </message>
    <message>
        <location line="-43"/>
        <location line="+247"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="-245"/>
        <location line="+42"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>发送 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+Enter to send · Ctrl+Shift+N reply/note · / scripts</source>
        <translation>Ctrl+Enter 发送 · Ctrl+Shift+N 切换回复/备注 · / 插入话术</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Not a link: use an https://, http:// or mailto: address</source>
        <translation>不是有效链接：请使用 https://、http:// 或 mailto: 地址</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>No script matches “%1”</source>
        <translation>没有匹配“%1”的话术</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Fill in the highlighted {{…}} (Tab jumps to the next)</source>
        <translation>请填写高亮的 {{…}}（Tab 跳到下一处）</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Not sent: fill in the highlighted {{…}} first</source>
        <translation>未发送：请先填写高亮的 {{…}}</translation>
    </message>
    <message>
        <location line="-48"/>
        <source>Internal note: only your team sees this…</source>
        <translation>内部备注：仅团队成员可见…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reply to the customer…</source>
        <translation>回复客户…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Not visible to the customer</source>
        <translation>客户不可见</translation>
    </message>
</context>
<context>
    <name>ConfirmSendDialog</name>
    <message>
        <location filename="../../ui/collision.py" line="+32"/>
        <source>The conversation changed</source>
        <translation>会话已有新内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 new message(s) arrived while you were writing. Read them before sending:</source>
        <translation>您撰写期间收到 %1 条新消息，请先阅读再发送：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>internal note</source>
        <translation>内部备注</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Send anyway</source>
        <translation>仍然发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review first</source>
        <translation>先查看</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location line="+22"/>
        <source>Someone else changed this conversation</source>
        <translation>其他人修改了此会话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>While your change waited to be sent, the conversation was changed on the server%1. Compare field by field and choose:</source>
        <translation>在您的修改等待发送期间，服务器上的会话已被修改%1。请逐项比较后选择：</translation>
    </message>
    <message>
        <location line="+46"/>
        <source> (last at %1)</source>
        <translation>（最后修改于 %1）</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your change</source>
        <translation>您的修改</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>On the server now</source>
        <translation>服务器当前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Before (what you saw)</source>
        <translation>修改前（您看到的）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Assignee</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Wrap-up code</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <location line="+32"/>
        <source> (by %1 at %2)</source>
        <translation>（%1 于 %2 修改）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (by %1)</source>
        <translation>（%1 修改）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Apply mine on top</source>
        <translation>应用我的修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep the server&apos;s</source>
        <translation>保留服务器版本</translation>
    </message>
</context>
<context>
    <name>ConnectionText</name>
    <message>
        <location filename="../../ui/connection_text.py" line="+10"/>
        <source>Your Agent Desktop server&apos;s address, your user name and password.</source>
        <translation>填写 Agent Desktop 服务器地址、用户名和密码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RT&apos;s address. A token: in RT, Logged in as ▸ Settings ▸ Auth Tokens ▸ Create.</source>
        <translation>填写 RT 的地址。令牌：在 RT 中依次选择 已登录为 ▸ 设置 ▸ 身份验证令牌 ▸ 创建。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The address as your browser shows it, with /app/accounts/N. User: your e-mail. Token: in Chatwoot, Profile settings ▸ Access Token.</source>
        <translation>填写浏览器中显示的地址（含 /app/accounts/N）。用户：您的电子邮件。令牌：在 Chatwoot 中打开 个人资料设置 ▸ 访问令牌。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>https://yourcompany.zendesk.com. User: your agent e-mail. Token: Admin Center ▸ Apps and integrations ▸ Zendesk API ▸ token access.</source>
        <translation>填写 https://贵公司.zendesk.com。用户：您的坐席电子邮件。令牌：管理中心 ▸ 应用和集成 ▸ Zendesk API ▸ 令牌访问。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Zammad&apos;s address. A token: in Zammad, Profile ▸ Token Access ▸ Create, with the permission ticket.agent.</source>
        <translation>填写 Zammad 的地址。令牌：在 Zammad 中打开 个人资料 ▸ 令牌访问 ▸ 创建，并授予 ticket.agent 权限。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>API to&amp;ken</source>
        <translation>API 令牌(&amp;K)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>API token</source>
        <translation>API 令牌</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Connected: signed in as %1.</source>
        <translation>连接成功：已登录为 %1。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No server answers at this address. Check the address (it starts with https://) and your network, then test again.</source>
        <translation>此地址没有服务器响应。请检查地址（以 https:// 开头）和网络，然后重新测试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server&apos;s security certificate could not be verified. Check the address, or ask your administrator for the right one or for your company&apos;s CA certificate.</source>
        <translation>无法验证服务器的安全证书。请检查地址，或向管理员索取正确的地址或公司的 CA 证书。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server refused this user name or API token. Check them, or create a new token in your helpdesk&apos;s settings, then test again.</source>
        <translation>服务器拒绝了此用户名或 API 令牌。请检查，或在服务台的设置中新建令牌，然后重新测试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server refused this user name or password. Check them (is Caps Lock on?) and test again.</source>
        <translation>服务器拒绝了此用户名或密码。请检查（是否开启了大写锁定？）后重新测试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed in, but this account may not use the API. Ask your helpdesk administrator for API access.</source>
        <translation>已登录，但此账号无权使用接口。请向服务台管理员申请接口权限。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Something answers at this address, but not a server of the type “%1”. Check the server type, and give the helpdesk&apos;s own address, not a web page.</source>
        <translation>此地址有响应，但不是“%1”类型的服务器。请检查服务器类型，并填写服务台本身的地址，而不是网页地址。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server is busy right now. Wait a minute, then test again.</source>
        <translation>服务器当前繁忙。请稍等一分钟后重新测试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The connection test failed for another reason. Try again; if it keeps failing, the log (Diagnostics) has the details for your administrator.</source>
        <translation>连接测试因其他原因失败。请重试；如果一直失败，日志（诊断）中有供管理员查看的详细信息。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Give the profile a name.</source>
        <translation>请为配置命名。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another profile has this name already: choose another name.</source>
        <translation>已有同名配置：请换一个名称。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another profile is this account already (same server type, address and user name).</source>
        <translation>已有配置使用此账号（服务器类型、地址和用户名均相同）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This address cannot be used: give one starting with https:// (plain http only to this computer), without a user name or password in it.</source>
        <translation>此地址无法使用：请填写以 https:// 开头的地址（仅本机可用 http），且地址中不能包含用户名或密码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This profile cannot be saved as it is: check the server type and the sign-in method.</source>
        <translation>此配置无法按现状保存：请检查服务器类型和登录方式。</translation>
    </message>
</context>
<context>
    <name>ConversationHeader</name>
    <message>
        <location filename="../../ui/conversation_header.py" line="+47"/>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>挂起</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolve</source>
        <translation>解决</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Assign to me</source>
        <translation>分配给我</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assign to me (Ctrl+Shift+A)</source>
        <translation>分配给我 (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Transfer…</source>
        <translation>转接…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Escalate…</source>
        <translation>升级…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Callback…</source>
        <translation>回访…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSAT…</source>
        <translation>满意度…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Compare…</source>
        <translation>比较…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>This conversation is no longer available.</source>
        <translation>该会话已不可用。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 change(s) waiting to sync</source>
        <translation>%1 项更改待同步</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assigned to me</source>
        <translation>已分配给我</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assigned to %1</source>
        <translation>已分配给 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>SLA paused: waiting for the customer</source>
        <translation>SLA 暂停：等待客户回复</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>First response: %1</source>
        <translation>首次响应：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolution: %1</source>
        <translation>解决时限：%1</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <location filename="../../ui/conversation_panel.py" line="+102"/>
        <source>Select a conversation on the left.

↑/↓ move through the inbox · Ctrl+K searches everything</source>
        <translation>请在左侧选择一个会话。

↑/↓ 在收件箱中切换 · Ctrl+K 全局搜索</translation>
    </message>
    <message>
        <location line="+159"/>
        <source>Not sent yet: wait until the files are attached</source>
        <translation>尚未发送：请等文件添加完成</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The message could not be saved: %1</source>
        <translation>消息无法保存：%1</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Cannot change status</source>
        <translation>无法更改状态</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot change the conversation</source>
        <translation>无法更改会话</translation>
    </message>
</context>
<context>
    <name>ConversationPresence</name>
    <message>
        <location filename="../../ui/conversation_presence.py" line="+88"/>
        <source>%1 is replying</source>
        <translation>%1 正在回复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is viewing</source>
        <translation>%1 正在查看</translation>
    </message>
</context>
<context>
    <name>ConversationWorkflow</name>
    <message>
        <location filename="../../ui/conversation_workflow.py" line="+75"/>
        <source>Hand-off from %1: %2</source>
        <translation>来自 %1 的交接：%2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>first-contact resolution</source>
        <translation>首解</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>first contact (7-day window)</source>
        <translation>首解（7 天观察期）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not first-contact</source>
        <translation>非首解</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrap-up: %1</source>
        <translation>处理结果：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your change conflicts with a newer one on the server.</source>
        <translation>您的修改与服务器上更新的修改冲突。</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Schedule a callback</source>
        <translation>安排回访</translation>
    </message>
</context>
<context>
    <name>CsatDialog</name>
    <message>
        <location filename="../../ui/csat_dialog.py" line="+28"/>
        <source>Customer satisfaction</source>
        <translation>客户满意度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score the customer gave (1 = very unhappy, 5 = very happy). 2 or less schedules a follow-up callback.</source>
        <translation>客户评分（1 = 非常不满意，5 = 非常满意）。2 分及以下会自动安排回访。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>What the customer said (optional)</source>
        <translation>客户的原话（可选）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
</context>
<context>
    <name>CustomerPanel</name>
    <message>
        <location filename="../../ui/customer_panel.py" line="+154"/>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Social</source>
        <translation>社交媒体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contacts</source>
        <translation>联系记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit tags…</source>
        <translation>编辑标签…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Link to existing customer…</source>
        <translation>关联已有客户…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New customer…</source>
        <translation>新建客户…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Customer record</source>
        <translation>客户档案</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Add a note about this customer (Ctrl+Enter)</source>
        <translation>添加客户备注 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>%1 in total · %2 open · last %3
CSAT %4 · %5 open callbacks</source>
        <translation>共 %1 次 · %2 个未结 · 最近 %3
满意度 %4 · %5 个待回访</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>No orders.</source>
        <translation>没有订单。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Orders (%1)</source>
        <translation>订单 (%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>paid</source>
        <translation>已付款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>shipped</source>
        <translation>已发货</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>delivered</source>
        <translation>已签收</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Notes (%1)</source>
        <translation>备注 (%1)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Note not saved</source>
        <translation>备注未保存</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Edit note</source>
        <translation>编辑备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Customer tags</source>
        <translation>客户标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tags, separated by commas</source>
        <translation>标签，用逗号分隔</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Customer not created</source>
        <translation>客户未创建</translation>
    </message>
    <message>
        <location line="-231"/>
        <source>Open a conversation to see who the customer is and their history.</source>
        <translation>打开一个会话即可查看客户信息及其历史记录。</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 in total · %2 open · last %3</source>
        <translation>共 %1 次 · 未结 %2 · 最近 %3</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../../ui/dashboard/charts.py" line="+50"/>
        <source>Contacts per hour today</source>
        <translation>今日每小时来电/会话量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Service level per hour today</source>
        <translation>今日每小时服务水平</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Answered</source>
        <translation>已接起</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../ui/dashboard/tile.py" line="+53"/>
        <source>Abandoned</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Still waiting</source>
        <translation>仍在等待</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Service level %</source>
        <translation>服务水平 %</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Target %1 %</source>
        <translation>目标 %1 %</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/drilldown.py" line="+45"/>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>After-contact work</source>
        <translation>话后处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Break</source>
        <translation>小休</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reassign conversation</source>
        <translation>重新分配会话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nobody: back to the queue</source>
        <translation>不指定：退回队列</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>&amp;Agent</source>
        <translation>坐席(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Queues of %1</source>
        <translation>%1 的队列</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Space ticks a queue; the agent gets its work from the ticked queues.</source>
        <translation>空格键勾选队列；坐席从勾选的队列接收工作。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Waiting for</source>
        <translation>已等待</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Subject</source>
        <translation>主题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assignee</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../ui/dashboard/view.py" line="+157"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/dashboard/view.py" line="+0"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../ui/dashboard/view.py" line="+1"/>
        <source>Queues</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Reassign…</source>
        <translation>重新分配(&amp;R)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Change queues…</source>
        <translation>调整队列(&amp;C)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only team leads can do this</source>
        <translation>仅班组长可执行此操作</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Waiting conversations (longest first)</source>
        <translation>等待中的会话（等待最久的在前）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Agents of this queue</source>
        <translation>本队列坐席</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Select a waiting conversation first.</source>
        <translation>请先选择一个等待中的会话。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Conversation reassigned.</source>
        <translation>会话已重新分配。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select an agent first.</source>
        <translation>请先选择一位坐席。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Queues changed.</source>
        <translation>队列已调整。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not changed: %1</source>
        <translation>未更改：%1</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/install.py" line="+41"/>
        <source>Dashboard (Ctrl+D)</source>
        <translation>监控看板 (Ctrl+D)</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/thresholds.py" line="+29"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Thresholds</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/dashboard/tile.py" line="-31"/>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/dashboard/tile.py" line="+0"/>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Agents available</source>
        <translation>空闲坐席</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>↓: alert when the value falls below; ↑: alert when it rises above</source>
        <translation>↓：低于阈值时告警；↑：高于阈值时告警</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>A value exactly at a limit is still within it.</source>
        <translation>恰好等于阈值仍视为达标。</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/tile.py" line="+0"/>
        <source>On target</source>
        <translation>正常</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Waiting</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest wait</source>
        <translation>最长等待</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service level</source>
        <translation>服务水平</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ASA (avg. answer)</source>
        <translation>平均应答速度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AHT (avg. handle)</source>
        <translation>平均处理时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FCR (first contact)</source>
        <translation>首解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSAT (1–5)</source>
        <translation>满意度 (1–5)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SLA at risk</source>
        <translation>SLA 临近</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SLA breached</source>
        <translation>SLA 超时</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../ui/dashboard/view.py" line="+0"/>
        <source>Occupancy</source>
        <translation>占用率</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Agents: %1 available · %2 busy · %3 after-contact work · %4 break · %5 offline</source>
        <translation>坐席：空闲 %1 · 忙碌 %2 · 话后处理 %3 · 小休 %4 · 离线 %5</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Offline: live counts from the local cache; today&apos;s figures as last received</source>
        <translation>离线：实时数据来自本地缓存；今日指标为最后一次接收的值</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/view.py" line="-28"/>
        <location line="+233"/>
        <source>Queues today</source>
        <translation>今日队列</translation>
    </message>
    <message>
        <location line="-231"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Thresholds…</source>
        <translation>阈值(&amp;T)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wallboard (F11)</source>
        <translation>大屏 (F11)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Time in state</source>
        <translation>状态时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Handled today</source>
        <translation>今日处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AHT</source>
        <translation>平均处理时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSAT</source>
        <translation>满意度</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Charts for:</source>
        <translation>图表范围：</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+165"/>
        <source>Wallboard</source>
        <translation>大屏</translation>
    </message>
    <message>
        <location line="-124"/>
        <source>Could not refresh: %1</source>
        <translation>无法刷新：%1</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>All queues</source>
        <translation>全部队列</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>updated %1 s ago</source>
        <translation>%1 秒前更新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>OFFLINE — stale: %1</source>
        <translation>离线 — 数据可能过期：%1</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <location filename="../../ui/diagnostics_dialog.py" line="+37"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Seen</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Copy details</source>
        <translation>复制详情(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>C&amp;lear list</source>
        <translation>清空列表(&amp;L)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>No malformed records were received from the server.</source>
        <translation>未收到服务器发来的格式错误记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 record(s) from the server were malformed and skipped; the rest of the data is complete. Send the details to your administrator.</source>
        <translation>服务器发来的 %1 条记录格式错误，已跳过；其余数据完整。请把详情发给管理员。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The local cache was damaged and rebuilt from the server at %1; %2 unsent action(s) and %3 draft(s) were rescued. The damaged file was kept as %4.</source>
        <translation>本地缓存已损坏，已于 %1 从服务器重建；已找回 %2 个未发送操作和 %3 份草稿。损坏的文件保存在 %4。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Attachment cache: %1 in %2 file(s).</source>
        <translation>附件缓存：%2 个文件，共 %1。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The local cache is healthy.</source>
        <translation>本地缓存正常。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The local cache reports a problem: %1</source>
        <translation>本地缓存报告问题：%1</translation>
    </message>
</context>
<context>
    <name>FaqPanel</name>
    <message>
        <location filename="../../ui/faq_panel.py" line="+54"/>
        <source>Search the FAQ (中文 / English)</source>
        <translation>搜索知识库（中文 / English）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All categories</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Insert &amp;answer</source>
        <translation>插入答案(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insert the answer into the reply (Enter)</source>
        <translation>把答案插入回复（Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insert &amp;link</source>
        <translation>插入链接(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Helpful</source>
        <translation>有帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N&amp;ot helpful</source>
        <translation>没帮助(&amp;O)</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Suggested for this conversation</source>
        <translation>为当前会话推荐</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 articles found</source>
        <translation>找到 %1 篇文章</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Newest articles</source>
        <translation>最新文章</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No articles match.</source>
        <translation>没有匹配的文章。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>used %1 times</source>
        <translation>已使用 %1 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>helpful %1 · not helpful %2</source>
        <translation>有帮助 %1 · 没帮助 %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>you rated it helpful</source>
        <translation>你评价为有帮助</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>you rated it not helpful</source>
        <translation>你评价为没帮助</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../ui/formatting.py" line="+14"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chat</source>
        <translation>在线聊天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>邮件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Web form</source>
        <translation>网页表单</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Social</source>
        <translation>社交媒体</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pending</source>
        <translation>挂起</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key account</source>
        <translation>大客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Standard</source>
        <translation>普通</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>%1–%2</source>
        <translation>%1至%2</translation>
    </message>
    <message>
        <location filename="../../ui/dashboard/tile.py" line="-111"/>
        <location filename="../../ui/formatting.py" line="-55"/>
        <source>%1h %2m</source>
        <translation>%1小时%2分</translation>
    </message>
    <message>
        <location filename="../../ui/formatting.py" line="+2"/>
        <source>%1d %2h</source>
        <translation>%1天%2小时</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 over</source>
        <translation>超时 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1s</source>
        <translation>%1秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1m</source>
        <translation>%1分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1h</source>
        <translation>%1小时</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1d</source>
        <translation>%1天</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 ago</source>
        <translation>%1前</translation>
    </message>
</context>
<context>
    <name>GuidedScriptPanel</name>
    <message>
        <location filename="../../ui/guided_script.py" line="+48"/>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Insert &amp;prompt in reply</source>
        <translation>把提示插入回复(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Back</source>
        <translation>上一步(&amp;B)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Finish and save note</source>
        <translation>完成并保存备注(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cancel run</source>
        <translation>放弃本次引导(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a conversation, pick a guided script and press Start.</source>
        <translation>打开一个会话，选择引导话术后点“开始”。</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Guided script</source>
        <translation>引导话术</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard the guided script in progress and start another?</source>
        <translation>放弃进行中的引导话术并开始新的？</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The call script is complete. Finish to save the path as an internal note.</source>
        <translation>通话流程已走完。点“完成”把路径保存为内部备注。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Step %1: %2</source>
        <translation>第 %1 步：%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>So far: %1</source>
        <translation>已完成：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Customer&apos;s answer: %1</source>
        <translation>客户回答：%1</translation>
    </message>
</context>
<context>
    <name>HtmlBody</name>
    <message>
        <location filename="../../ui/html_body.py" line="+133"/>
        <source>the HTML is nested too deeply</source>
        <translation>HTML 嵌套过深</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the HTML is almost all markup</source>
        <translation>HTML 几乎全是标记</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>making the HTML safe removed most of it</source>
        <translation>安全处理删去了 HTML 的大部分内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the HTML has no readable text</source>
        <translation>HTML 中没有可读文字</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Inline image not shown</source>
        <translation>未显示内嵌图片</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+80"/>
        <source>Remote image not loaded: %1</source>
        <translation>未加载远程图片：%1</translation>
    </message>
    <message>
        <location line="-78"/>
        <source>Image not shown</source>
        <translation>未显示图片</translation>
    </message>
    <message>
        <location line="+105"/>
        <source>Shown as plain text: %1.</source>
        <translation>以纯文本显示：%1。</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../ui/image_viewer.py" line="+71"/>
        <source>← Previous</source>
        <translation>← 上一张</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out (-)</source>
        <translation>缩小 (-)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit (0)</source>
        <translation>适合窗口 (0)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (+)</source>
        <translation>放大 (+)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rotate (R)</source>
        <translation>旋转 (R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next →</source>
        <translation>下一张 →</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Not downloaded yet.</source>
        <translation>尚未下载。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>This picture cannot be shown.</source>
        <translation>此图片无法显示。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 · %2 of %3</source>
        <translation>%1 · 第 %2 张，共 %3 张</translation>
    </message>
</context>
<context>
    <name>InboxDelegate</name>
    <message>
        <location filename="../../ui/inbox_delegate.py" line="+116"/>
        <source>● waiting now %1</source>
        <translation>● 正在等待 %1</translation>
    </message>
</context>
<context>
    <name>Knowledge</name>
    <message>
        <location filename="../../ui/knowledge_widgets.py" line="+21"/>
        <source>Pre-sales</source>
        <translation>售前</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>After-sales</source>
        <translation>售后</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>General</source>
        <translation>通用</translation>
    </message>
</context>
<context>
    <name>LinkCustomerDialog</name>
    <message>
        <location filename="../../ui/customer_panel.py" line="-215"/>
        <source>Link to an existing customer</source>
        <translation>关联已有客户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name, phone or e-mail</source>
        <translation>姓名、电话或邮箱</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Link</source>
        <translation>关联</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="+71"/>
        <source>Agent Desktop — %1</source>
        <translation>坐席工作台 — %1</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>FAQ</source>
        <translation>知识库</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Guided</source>
        <translation>引导话术</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scripts</source>
        <translation>话术</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search (Ctrl+K)</source>
        <translation>搜索 (Ctrl+K)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sync now (F5)</source>
        <translation>立即同步 (F5)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Outbox</source>
        <translation>发件箱</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Server &amp;profiles…</source>
        <translation>服务器配置(&amp;P)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+10"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>E-mail &amp;signatures…</source>
        <translation>邮件签名(&amp;S)…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Settings: server profiles (Ctrl+Shift+L)</source>
        <translation>设置：服务器配置 (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <location filename="../../ui/shortcuts.py" line="+30"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="+27"/>
        <source>Can&apos;t reach the server, and nothing is cached yet.

Agent Desktop keeps trying; check the network or the server address.</source>
        <translation>无法连接服务器，本地也还没有缓存数据。

坐席工作台会持续重试，请检查网络或服务器地址。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading your conversations…</source>
        <translation>正在加载会话…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing waiting in this view.

New conversations appear here by themselves; Ctrl+1…9 switch views.</source>
        <translation>此视图中暂无待处理的会话。

新会话会自动出现在这里；Ctrl+1…9 切换视图。</translation>
    </message>
</context>
<context>
    <name>NewCustomerDialog</name>
    <message>
        <location filename="../../ui/customer_panel.py" line="+28"/>
        <source>New customer</source>
        <translation>新客户</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Create and link</source>
        <translation>创建并关联</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
</context>
<context>
    <name>OfferBar</name>
    <message>
        <location filename="../../ui/workflow_wiring.py" line="+53"/>
        <source>Accept (Ctrl+Shift+Y)</source>
        <translation>接受 (Ctrl+Shift+Y)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Decline (Ctrl+Shift+J)</source>
        <translation>拒绝 (Ctrl+Shift+J)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New %1 for you: %2%3 · %4 · %5 s to answer</source>
        <translation>新的%1分配给您：%2%3 · %4 · %5 秒内接听</translation>
    </message>
</context>
<context>
    <name>OutboxDialog</name>
    <message>
        <location filename="../../ui/outbox_dialog.py" line="+57"/>
        <source>Outbox</source>
        <translation>发件箱</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Select an item to see what it contains.</source>
        <translation>选择一项以查看其内容。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Nothing waiting: everything you did has reached the server.</source>
        <translation>没有待发送的内容：您的所有操作都已送达服务器。</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>Send it again as it is</source>
        <translation>按原样重新发送</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save and send</source>
        <translation>保存并发送(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send the edited text instead</source>
        <translation>改为发送修改后的文字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Keep my change</source>
        <translation>保留我的修改(&amp;K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply your change on top of the current version on the server</source>
        <translation>在服务器当前版本上应用您的修改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the &amp;server&apos;s version</source>
        <translation>采用服务器版本(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drop your change and keep what is on the server</source>
        <translation>放弃您的修改，保留服务器上的内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the text to the clipboard</source>
        <translation>把文字复制到剪贴板</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Discard…</source>
        <translation>放弃…(&amp;D)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give this action up (Delete)</source>
        <translation>放弃此操作（Delete）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Internal note</source>
        <translation>内部备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ticket change</source>
        <translation>工单变更</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer or escalation</source>
        <translation>转接或升级</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Satisfaction score</source>
        <translation>满意度评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Callback scheduled</source>
        <translation>已安排回访</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Callback outcome</source>
        <translation>回访结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer note</source>
        <translation>客户备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer note edited</source>
        <translation>客户备注已修改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer tags</source>
        <translation>客户标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your state</source>
        <translation>我的状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer to an offer</source>
        <translation>分配应答</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer linked</source>
        <translation>已关联客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New customer</source>
        <translation>新客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New personal script</source>
        <translation>新建个人话术</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Personal script edited</source>
        <translation>个人话术已修改</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Personal script deleted</source>
        <translation>个人话术已删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FAQ feedback</source>
        <translation>知识库反馈</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Script or article used</source>
        <translation>话术或文章使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other change</source>
        <translation>其他更改</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 action(s) need your decision. Refused and conflicting actions stay here until you retry, edit, copy or discard them.</source>
        <translation>%1 个操作需要您处理。被拒绝或有冲突的操作会一直留在这里，直到您重试、编辑、复制或放弃。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Actions waiting for the server, oldest first. They are sent as soon as the server can be reached.</source>
        <translation>等待发送到服务器的操作，最早的在前。一旦能连上服务器就会发送。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Score</source>
        <translation>评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Helpful</source>
        <translation>有帮助</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Not sent yet: the server could not be reached or was busy. It is sent automatically when the server answers.</source>
        <translation>尚未发送：服务器无法连接或繁忙。服务器响应后会自动发送。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You stopped this upload: retry to send it with its files, or discard it.</source>
        <translation>你已停止上传：重试可连同附件再次发送，或将其丢弃。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server said: %1</source>
        <translation>服务器答复：%1</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Assignee</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disposition</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <location line="+79"/>
        <location line="+4"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+4"/>
        <source>Your change</source>
        <translation>您的修改</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Now on the server</source>
        <translation>服务器当前内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Before (what you saw)</source>
        <translation>修改前（您看到的）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>That did not work: %1</source>
        <translation>操作失败：%1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Discard this action?</source>
        <translation>放弃此操作？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 will not be sent and is removed from this computer. Copy it first if you still need the text.</source>
        <translation>%1 将不会发送，并从本机删除。如仍需要其中文字，请先复制。</translation>
    </message>
</context>
<context>
    <name>PdfPreview</name>
    <message>
        <location filename="../../ui/pdf_preview.py" line="+46"/>
        <source>← Previous page</source>
        <translation>← 上一页</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next page →</source>
        <translation>下一页 →</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out (-)</source>
        <translation>缩小 (-)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit width (0)</source>
        <translation>适合宽度 (0)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (+)</source>
        <translation>放大 (+)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>This PDF cannot be shown: %1

Save it to open it in another program.</source>
        <translation>无法显示此 PDF：%1

请另存后用其他程序打开。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>the file is missing.</source>
        <translation>文件不存在。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the file is damaged or not really a PDF.</source>
        <translation>文件已损坏，或并不是真正的 PDF。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>it is protected by a password.</source>
        <translation>它受密码保护。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>it is protected in a way this app cannot open.</source>
        <translation>它的保护方式本应用无法打开。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>it could not be read.</source>
        <translation>无法读取。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Page %1 of %2</source>
        <translation>第 %1 页，共 %2 页</translation>
    </message>
</context>
<context>
    <name>ProfilesDialog</name>
    <message>
        <location filename="../../ui/profiles_dialog.py" line="+62"/>
        <source>Server profiles</source>
        <translation>服务器配置</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No profiles yet — add your helpdesk&apos;s address, your user name and your password on the right, then save.</source>
        <translation>还没有配置——请在右侧填写服务台的地址、您的用户名和密码，然后保存。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Pro&amp;files</source>
        <translation>配置列表(&amp;F)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;New profile</source>
        <translation>新建配置(&amp;N)</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>&amp;Remember in the system keyring</source>
        <translation>保存到系统密码库(&amp;R)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Profile na&amp;me</source>
        <translation>配置名称(&amp;M)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server t&amp;ype</source>
        <translation>服务器类型(&amp;Y)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server &amp;address</source>
        <translation>服务器地址(&amp;A)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in &amp;with</source>
        <translation>登录方式(&amp;W)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remo&amp;ve…</source>
        <translation>删除(&amp;V)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Swit&amp;ch to this profile</source>
        <translation>切换到此配置(&amp;C)</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>%1 (in use)</source>
        <translation>%1（使用中）</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>New profile</source>
        <translation>新建配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile “%1”</source>
        <translation>配置“%1”</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Leave empty to keep the saved one</source>
        <translation>留空则沿用已保存的</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Switch to another profile before removing this one</source>
        <translation>请先切换到其他配置，再删除此配置</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Enter the user name and the %1 to test the connection.</source>
        <translation>请输入用户名和%1后再测试连接。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Testing the connection…</source>
        <translation>正在测试连接…</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The profiles file could not be written: is the disk full?</source>
        <translation>无法写入配置文件：磁盘是否已满？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Saved, but this computer has no usable password store, so the secret was not kept: you will be asked for it when you connect.</source>
        <translation>已保存，但本机没有可用的系统密码库，因此未保存密码或令牌：连接时会再次询问。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Remove profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the profile “%1”? Its saved secret is removed from the keyring.</source>
        <translation>删除配置“%1”？其保存的密码或令牌也会从系统密码库中删除。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Also delete its cached conversations on this computer (unsent work is lost)</source>
        <translation>同时删除本机上缓存的会话（未发送的内容将丢失）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Removed “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
</context>
<context>
    <name>RichToolbar</name>
    <message>
        <location filename="../../ui/rich_toolbar.py" line="+83"/>
        <source>Bold</source>
        <translation>粗体</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Italic</source>
        <translation>斜体</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bulleted list</source>
        <translation>项目符号列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Numbered list</source>
        <translation>编号列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+4"/>
        <source>Link…</source>
        <translation>链接…</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Insert link</source>
        <translation>插入链接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address (https://… or mailto:…):</source>
        <translation>地址（https://… 或 mailto:…）：</translation>
    </message>
</context>
<context>
    <name>ScheduleDialog</name>
    <message>
        <location filename="../../ui/callbacks_view.py" line="-177"/>
        <source>What to check with the customer (required)</source>
        <translation>需要与客户确认的内容（必填）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Business hours: %1, %2–%3 (%4)</source>
        <translation>营业时间：%1，%2–%3（%4）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>this time is outside them: the customer may not be reached</source>
        <translation>该时间不在营业时间内：可能联系不到客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose a time in the future.</source>
        <translation>请选择将来的时间。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Write what the call is about: the colleague who calls reads it first.</source>
        <translation>请写明回访内容：致电的同事会先看到。</translation>
    </message>
</context>
<context>
    <name>ScriptDialog</name>
    <message>
        <location filename="../../ui/scripts_panel.py" line="+244"/>
        <source>Edit script</source>
        <translation>编辑话术</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New personal script</source>
        <translation>新建个人话术</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>e.g. thanks (type /thanks in the reply)</source>
        <translation>例如 thanks（在回复中输入 /thanks）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Insert a variable…</source>
        <translation>插入变量…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Title</source>
        <translation>标题(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Shortcut</source>
        <translation>快捷码(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Category</source>
        <translation>分类(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Te&amp;xt</source>
        <translation>内容(&amp;X)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{{customer.name | 您}} uses 您 when the name is unknown; any other {{…}} must be filled in before sending.</source>
        <translation>{{customer.name | 您}} 在客户姓名未知时显示“您”；其他 {{…}} 需在发送前填写。</translation>
    </message>
</context>
<context>
    <name>ScriptsPanel</name>
    <message>
        <location line="-209"/>
        <source>Search scripts: shortcut, title or words (中文 / English)</source>
        <translation>搜索话术：快捷码、标题或内容（中文 / English）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All categories</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>My scripts</source>
        <translation>我的话术</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Insert</source>
        <translation>插入(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insert into the reply (Enter)</source>
        <translation>插入到回复（Enter）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>guided</source>
        <translation>引导</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>used %1 times</source>
        <translation>已使用 %1 次</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No scripts match.</source>
        <translation>没有匹配的话术。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>A guided call script with %1 steps: run it from the Guided tab.</source>
        <translation>引导话术，共 %1 步：请在“引导话术”标签中运行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Used %1 times</source>
        <translation>已使用 %1 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>waiting to sync</source>
        <translation>等待同步</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Script</source>
        <translation>话术</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A script needs a title and a text.</source>
        <translation>话术需要标题和内容。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Delete script</source>
        <translation>删除话术</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete “%1”?</source>
        <translation>删除“%1”？</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Script not saved</source>
        <translation>话术未保存</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../ui/search_dialog.py" line="+69"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Search conversations, messages and customers (中文 or English)…</source>
        <translation>搜索会话、消息和客户（中文或英文）…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Open only</source>
        <translation>仅未结(&amp;O)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All channels</source>
        <translation>全部渠道</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>C&amp;hannel</source>
        <translation>渠道(&amp;H)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any time</source>
        <translation>不限时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;When</source>
        <translation>时间(&amp;W)</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+46"/>
        <source>Type to search. ↑/↓ choose, Enter opens, Esc closes.</source>
        <translation>输入即可搜索。↑/↓ 选择，Enter 打开，Esc 关闭。</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Only &amp;this customer (%1)</source>
        <translation>仅此客户(&amp;T)（%1）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Nothing found for “%1” with these filters.</source>
        <translation>在当前筛选条件下未找到与“%1”相关的结果。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing found for “%1”.</source>
        <translation>未找到与“%1”相关的结果。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 customers · %2 conversations · %3 messages</source>
        <translation>%1 位客户 · %2 个会话 · %3 条消息</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Customer: %1</source>
        <translation>客户：%1</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+2"/>
        <source>Show more results…</source>
        <translation>显示更多结果…</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="+71"/>
        <source>Sign in to Agent Desktop</source>
        <translation>登录坐席工作台</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remember the password in this computer&apos;s password store</source>
        <translation>将密码保存到本机的系统密码库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remember it in this computer&apos;s password store</source>
        <translation>保存到本机的系统密码库</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
</context>
<context>
    <name>SignaturesDialog</name>
    <message>
        <location filename="../../ui/signatures_dialog.py" line="+38"/>
        <source>E-mail signatures</source>
        <translation>邮件签名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Added to e-mail replies, yours first and then the queue&apos;s, in the customer&apos;s language. You can still edit them in each reply.</source>
        <translation>添加到邮件回复中：先是您的签名，然后是队列的签名，使用客户的语言。每封回复中仍可修改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>My signature</source>
        <translation>我的签名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&amp;Signature of:</source>
        <translation>签名所属(&amp;S)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;English:</source>
        <translation>英文(&amp;E)：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Chinese:</source>
        <translation>中文(&amp;C)：</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>A signature may have at most %1 characters.</source>
        <translation>签名最多 %1 个字符。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Could not save the signatures: %1</source>
        <translation>无法保存签名：%1</translation>
    </message>
</context>
<context>
    <name>SpellCheck</name>
    <message>
        <location filename="../../ui/spell_check.py" line="+83"/>
        <source>Spell check is off: pyenchant is not installed.</source>
        <translation>拼写检查已关闭：未安装 pyenchant。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spell check is off: no English (en_US) dictionary is installed.</source>
        <translation>拼写检查已关闭：未安装英文（en_US）词典。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Spell check is off: the dictionary could not be opened.</source>
        <translation>拼写检查已关闭：无法打开词典。</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>No suggestions</source>
        <translation>无建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add “%1” to dictionary</source>
        <translation>将“%1”添加到词典</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../ui/startup.py" line="+113"/>
        <source>Agent Desktop could not start: %1</source>
        <translation>坐席工作台无法启动：%1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Starting Agent Desktop…</source>
        <translation>正在启动坐席工作台…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>There is no saved profile named “%1”.</source>
        <translation>没有名为“%1”的已保存配置。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Starting the demo backend (the first start creates the demo data)…</source>
        <translation>正在启动演示后端（首次启动会创建演示数据）…</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not open the profile “%1”; going back.</source>
        <translation>无法打开配置“%1”，正在返回之前的配置。</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>The user name or API token was not accepted.</source>
        <translation>用户名或 API 令牌未被接受。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The user name or password was not accepted.</source>
        <translation>用户名或密码不正确。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot sign in: %1</source>
        <translation>无法登录：%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no password</source>
        <translation>未提供密码</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>API token</source>
        <translation>API 令牌</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter your user name and API token.</source>
        <translation>请输入用户名和 API 令牌。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>Could not save the screenshot to %1</source>
        <translation>无法将截图保存到 %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The inbox did not finish loading in time; no screenshot taken.</source>
        <translation>收件箱未能及时加载完成，未截图。</translation>
    </message>
    <message>
        <location filename="../../app.py" line="+96"/>
        <source>Agent Desktop is already running: its window was brought to the front.</source>
        <translation>坐席工作台已在运行：已将其窗口切换到前台。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agent Desktop is already running with this data folder (%1). Switch to the open window, or set AGENT_DESKTOP_HOME to use a second folder.</source>
        <translation>坐席工作台已在使用此数据文件夹（%1）运行。请切换到已打开的窗口，或设置 AGENT_DESKTOP_HOME 以使用另一个文件夹。</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <location filename="../../ui/status_bar.py" line="+30"/>
        <source>Sign in again…</source>
        <translation>重新登录…</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+29"/>
        <source>Signed in as %1</source>
        <translation>已登录：%1</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>%1 record(s) from the server could not be read and were skipped: see Diagnostics.</source>
        <translation>服务器发来的 %1 条记录无法读取，已跳过：详见“诊断”。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Back online: what you did offline is being sent.</source>
        <translation>已恢复在线：离线期间的操作正在发送。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back online: everything is sent.</source>
        <translation>已恢复在线：全部已发送。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · working offline</source>
        <translation>%1 · 离线工作中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signed out by the server: sign in again to sync. Your work is kept.</source>
        <translation>已被服务器登出：请重新登录以继续同步。您的工作内容已保留。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Loading from the server… %1 records</source>
        <translation>正在从服务器加载… %1 条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting to the server…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Online · indexing message history for search… %1%</source>
        <translation>在线 · 正在为搜索建立历史消息索引… %1%</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Outbox: %1 waiting · %2 need attention</source>
        <translation>发件箱：%1 条待发送 · %2 条需处理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Outbox: %1 waiting</source>
        <translation>发件箱：%1 条待发送</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outbox: all sent</source>
        <translation>发件箱：已全部发送</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The server&apos;s answers can&apos;t be used right now (%1); trying again in %2 s (F5: now). Your work is kept.</source>
        <translation>服务器的应答暂时无法使用（%1）；%2 秒后重试（F5：立即重试）。您的工作都已保留。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline: can&apos;t reach the server; trying again in %1 s (F5: now). Keep working: everything is sent when it&apos;s back.</source>
        <translation>离线：无法连接服务器；%1 秒后重试（F5 立即重试）。可以继续工作：恢复后全部自动发送。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Offline: can&apos;t reach the server; trying again now. Keep working: everything is sent when it&apos;s back.</source>
        <translation>离线：无法连接服务器；正在重试。可以继续工作：恢复后全部自动发送。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Online · some changes wait for the server; trying again in %1 s (F5: now)</source>
        <translation>在线 · 部分更改在等待服务器；%1 秒后重试（F5：立即重试）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Online · some changes wait for the server; trying again now</source>
        <translation>在线 · 部分更改在等待服务器；正在重试</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
</context>
<context>
    <name>ThreadAttachments</name>
    <message>
        <location filename="../../ui/attachment_thread.py" line="+167"/>
        <source>downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not downloaded — offline</source>
        <translation>未下载 — 离线</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not downloaded: %1</source>
        <translation>未下载：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not downloaded — this server does not send files</source>
        <translation>未下载 — 此服务器不提供文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>not downloaded</source>
        <translation>未下载</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>cannot show: %1</source>
        <translation>无法显示：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>preparing preview…</source>
        <translation>正在生成预览…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 goes to the newest files · Enter opens</source>
        <translation>%1 跳到最新的附件 · Enter 打开</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <location filename="../../ui/thread_view.py" line="+109"/>
        <source>Open link?</source>
        <translation>打开链接？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This link from a message goes to:

%1

Open it in your browser?</source>
        <translation>此消息中的链接指向：

%1

在浏览器中打开吗？</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No messages in this conversation yet.</source>
        <translation>此会话还没有消息。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Escalated to %1</source>
        <translation>已升级至 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transferred to %1</source>
        <translation>已转接至 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Transferred</source>
        <translation>已转接</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Internal note · %1</source>
        <translation>内部备注 · %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agent</source>
        <translation>客服</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not sent: %1</source>
        <translation>未发送：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>waiting to send…</source>
        <translation>等待发送…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>✓ sent</source>
        <translation>✓ 已发送</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Show more (%1 characters not shown)</source>
        <translation>显示更多（还有 %1 个字符未显示）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Hide quoted text</source>
        <translation>隐藏引用内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show quoted text</source>
        <translation>显示引用内容</translation>
    </message>
</context>
<context>
    <name>Thumbnails</name>
    <message>
        <location filename="../../ui/thumbnails.py" line="+82"/>
        <source>The file could not be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This kind of picture is not shown here: save it to look at it.</source>
        <translation>此类图片不在这里显示：请另存后查看。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+11"/>
        <source>The picture is damaged and cannot be shown.</source>
        <translation>图片已损坏，无法显示。</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>The picture is too large to show (%1 × %2 pixels).</source>
        <translation>图片太大，无法显示（%1 × %2 像素）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The picture is incomplete (the file was cut off) and cannot be shown.</source>
        <translation>图片不完整（文件被截断），无法显示。</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/transfer_dialog.py" line="+31"/>
        <location line="+29"/>
        <source>Escalate</source>
        <translation>升级</translation>
    </message>
    <message>
        <location line="-29"/>
        <location line="+29"/>
        <source>Transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Anyone in the queue</source>
        <translation>队列中任何人</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Hand-off note (required): what the customer needs, what you did, what is left. The receiver reads it first.</source>
        <translation>交接备注（必填）：客户需要什么、您已做了什么、还剩什么。接收人会首先看到。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ctrl+Enter hands off; Tab moves to the buttons</source>
        <translation>Ctrl+Enter 提交转接；Tab 移到按钮</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>To queue / tier</source>
        <translation>转至队列 / 线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To agent</source>
        <translation>转至坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hand-off note</source>
        <translation>交接备注</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Write a hand-off note (at least %1 characters).</source>
        <translation>请填写交接备注（至少 %1 个字）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The conversation is already in that queue; choose another queue or an agent.</source>
        <translation>会话已在该队列；请选择其他队列或坐席。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This conversation cannot be handed off now.</source>
        <translation>此会话现在不能转接。</translation>
    </message>
</context>
<context>
    <name>UploadRow</name>
    <message>
        <location filename="../../ui/attachment_tray.py" line="-252"/>
        <source>Uploading files…</source>
        <translation>正在上传文件…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel upload</source>
        <translation>取消上传</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Uploading files… %1 of %2</source>
        <translation>正在上传文件… %1 / %2</translation>
    </message>
</context>
<context>
    <name>ViewsPanel</name>
    <message>
        <location filename="../../ui/views_panel.py" line="+60"/>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All open</source>
        <translation>全部未结</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>QUEUES</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>CHANNELS</source>
        <translation>渠道</translation>
    </message>
</context>
<context>
    <name>WorkflowController</name>
    <message>
        <location filename="../../ui/workflow_wiring.py" line="+99"/>
        <source>New contact offered</source>
        <translation>新的接入分配</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Assigned to you</source>
        <translation>已分配给您</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>SLA breached</source>
        <translation>SLA 超时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SLA at risk (≤ 20 % left)</source>
        <translation>SLA 即将超时（剩余 ≤ 20%）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source> and %1 more</source>
        <translation> 等 %1 个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Callback due</source>
        <translation>回访到期</translation>
    </message>
</context>
<context>
    <name>WorkflowWiring</name>
    <message>
        <location line="+77"/>
        <source>Callbacks</source>
        <translation>回访</translation>
    </message>
</context>
<context>
    <name>WrapUpDialog</name>
    <message>
        <location filename="../../ui/wrapup_dialog.py" line="+30"/>
        <source>Resolve: wrap-up</source>
        <translation>解决：结案</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>not asked</source>
        <translation>未询问</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose the wrap-up code that says how this contact ended. After resolving you get %1 s of after-contact work before the next offer.</source>
        <translation>请选择本次接待的处理结果。解决后有 %1 秒话后处理时间，之后才会分配下一个。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Then open the next conversation</source>
        <translation>完成后打开下一个会话</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Resolve</source>
        <translation>解决</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No wrap-up codes yet: sync with the server first.</source>
        <translation>还没有处理结果代码：请先与服务器同步。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrap-up code</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer satisfaction (asked on the phone)</source>
        <translation>客户满意度（电话中询问）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Choose a wrap-up code to resolve.</source>
        <translation>请选择处理结果后再解决。</translation>
    </message>
</context>
</TS>

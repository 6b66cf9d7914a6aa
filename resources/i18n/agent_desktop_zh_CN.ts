<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Composer</name>
    <message>
        <location filename="../../agent_desktop/ui/composer.py" line="+38"/>
        <source>&amp;Reply</source>
        <translation>回复(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Internal &amp;note</source>
        <translation>内部备注(&amp;N)</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+65"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>发送 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Ctrl+Enter to send · Ctrl+Shift+N reply/note</source>
        <translation>Ctrl+Enter 发送 · Ctrl+Shift+N 切换回复/备注</translation>
    </message>
    <message>
        <location line="+47"/>
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
        <location line="+1"/>
        <source>Not visible to the customer</source>
        <translation>客户不可见</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <location filename="../../agent_desktop/ui/conversation_panel.py" line="+56"/>
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
        <location line="+9"/>
        <source>Assign to me</source>
        <translation>分配给我</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Assign to me (Ctrl+Shift+A)</source>
        <translation>分配给我 (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Select a conversation on the left.

↑/↓ move through the inbox · Ctrl+K searches everything</source>
        <translation>请在左侧选择一个会话。

↑/↓ 在收件箱中切换 · Ctrl+K 全局搜索</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>This conversation is no longer available.</source>
        <translation>该会话已不可用。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 change(s) waiting to sync</source>
        <translation>%1 项更改待同步</translation>
    </message>
    <message>
        <location line="+13"/>
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
        <location line="+15"/>
        <source>First response</source>
        <translation>首次响应</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Resolution</source>
        <translation>解决时限</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The message could not be saved: %1</source>
        <translation>消息无法保存：%1</translation>
    </message>
    <message>
        <location line="+16"/>
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
    <name>CustomerPanel</name>
    <message>
        <location filename="../../agent_desktop/ui/customer_panel.py" line="+45"/>
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
        <source>Earlier contacts</source>
        <translation>历史会话</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Open a conversation to see who the customer is and their history.</source>
        <translation>打开一个会话即可查看客户信息及其历史记录。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Unknown customer</source>
        <translation>未知客户</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 in total · %2 open · last %3</source>
        <translation>共 %1 次 · 未结 %2 · 最近 %3</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../agent_desktop/ui/formatting.py" line="+14"/>
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
        <location line="+15"/>
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
    <name>MainWindow</name>
    <message>
        <location filename="../../agent_desktop/ui/main_window.py" line="+48"/>
        <source>Agent Desktop — %1</source>
        <translation>坐席工作台 — %1</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+45"/>
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
        <location line="+3"/>
        <source>Outbox</source>
        <translation>发件箱</translation>
    </message>
    <message>
        <location line="+51"/>
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
    <name>OutboxDialog</name>
    <message>
        <location filename="../../agent_desktop/ui/outbox_dialog.py" line="+27"/>
        <source>Outbox</source>
        <translation>发件箱</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy text</source>
        <translation>复制文本(&amp;C)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Nothing waiting: everything you did has reached the server.</source>
        <translation>没有待发送的内容：您的所有操作都已送达服务器。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actions waiting for the server, oldest first. Refused ones stay here until you retry or copy them.</source>
        <translation>等待发送到服务器的操作，最早的在前。被拒绝的操作会一直保留在这里，直到您重试或复制。</translation>
    </message>
    <message>
        <location line="+3"/>
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
        <location line="+0"/>
        <source>conflict</source>
        <translation>冲突</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../agent_desktop/ui/search_dialog.py" line="+47"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Search conversations, messages and customers (中文 or English)…</source>
        <translation>搜索会话、消息和客户（中文或英文）…</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+23"/>
        <source>Type to search. ↑/↓ choose, Enter opens, Esc closes.</source>
        <translation>输入即可搜索。↑/↓ 选择，Enter 打开，Esc 关闭。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Nothing found for “%1”.</source>
        <translation>未找到与“%1”相关的结果。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 customers · %2 conversations · %3 messages</source>
        <translation>%1 位客户 · %2 个会话 · %3 条消息</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Customer: %1</source>
        <translation>客户：%1</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../agent_desktop/ui/dialogs.py" line="+29"/>
        <source>Sign in to Agent Desktop</source>
        <translation>登录坐席工作台</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remember the password in this computer&apos;s password store</source>
        <translation>将密码保存到本机的系统密码库</translation>
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
    <name>Startup</name>
    <message>
        <location filename="../../agent_desktop/ui/startup.py" line="+51"/>
        <source>Agent Desktop could not start: %1</source>
        <translation>坐席工作台无法启动：%1</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Starting Agent Desktop…</source>
        <translation>正在启动坐席工作台…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Starting the demo backend (the first start creates the demo data)…</source>
        <translation>正在启动演示后端（首次启动会创建演示数据）…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The user name or password was not accepted.</source>
        <translation>用户名或密码不正确。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot sign in: %1</source>
        <translation>无法登录：%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no password</source>
        <translation>未提供密码</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Could not save the screenshot to %1</source>
        <translation>无法将截图保存到 %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The inbox did not finish loading in time; no screenshot taken.</source>
        <translation>收件箱未能及时加载完成，未截图。</translation>
    </message>
    <message>
        <location filename="../../agent_desktop/app.py" line="+65"/>
        <source>Agent Desktop is already running with this data folder (%1). Switch to the open window, or set AGENT_DESKTOP_HOME to use a second folder.</source>
        <translation>坐席工作台已在使用此数据文件夹（%1）运行。请切换到已打开的窗口，或设置 AGENT_DESKTOP_HOME 以使用另一个文件夹。</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <location filename="../../agent_desktop/ui/status_bar.py" line="+28"/>
        <source>Sign in again…</source>
        <translation>重新登录…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Signed in as %1</source>
        <translation>已登录：%1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Signed out by the server: sign in again to sync. Your work is kept.</source>
        <translation>已被服务器登出：请重新登录以继续同步。您的工作内容已保留。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline: can&apos;t reach the server. You can keep working; everything is sent when it&apos;s back.</source>
        <translation>离线：无法连接服务器。您可以继续工作，连接恢复后会自动发送。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading from the server… %1 records</source>
        <translation>正在从服务器加载… %1 条记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connecting to the server…</source>
        <translation>正在连接服务器…</translation>
    </message>
    <message>
        <location line="+2"/>
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
        <location line="+7"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <location filename="../../agent_desktop/ui/thread_view.py" line="+69"/>
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
</context>
<context>
    <name>ViewsPanel</name>
    <message>
        <location filename="../../agent_desktop/ui/views_panel.py" line="+59"/>
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
</TS>

"""Demo knowledge: shared scripts (话术) in Chinese and English, guided call scripts, FAQ articles.

Deterministic from the seed (`random.Random(seed + 31)`). Scripts are written by hand; FAQ
articles combine the demo products with question templates, so suggestions have something
specific to find ("扫地机器人 X10 怎么退款" → that product's refund article).
`build_scripts(n)` / `build_articles(n)` also make the large sets the benchmark searches.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from agent_desktop.domain.timeutil import to_iso, utcnow

from . import db as store
from .demo_vocab import PRODUCTS

Record = tuple[str, dict[str, Any]]

# (shortcut, category, zh title, zh body, en title, en body)
SCRIPTS: list[tuple[str, str, str, str, str, str]] = [
    ("hi", "general", "开场问候", "{{customer.name | 您}}好，我是客服{{agent.name}}，很高兴为您服务，请问有什么可以帮您？",
     "Greeting", "Hello {{customer.name | there}}, this is {{agent.name}}. How can I help you today?"),
    ("wait", "general", "请稍等", "好的，请您稍等，我马上为您查询，大约需要两分钟。",
     "Please hold", "Thank you, please bear with me while I look into this. It will take about two minutes."),
    ("bye", "general", "结束语", "感谢您的耐心，如还有其他问题随时联系我们，祝您生活愉快！",
     "Closing", "Thanks for your patience. If anything else comes up, just reply here. Have a great day!"),
    ("verify", "general", "核实身份", "为了保护您的账户安全，请提供下单时使用的手机号后四位。",
     "Verify identity", "To keep your account safe, could you confirm the last four digits of the phone number on the order?"),
    ("ticket", "general", "工单编号告知", "您的问题已登记，会话编号 {{conversation.id}}，我们会在 {{sla.due | 24小时内}} 前给您答复。",
     "Case reference", "Your case is logged as {{conversation.id}}; we will get back to you by {{sla.due | within 24 hours}}."),
    ("vip", "general", "VIP 专属问候", "尊敬的{{customer.tier | 会员}}{{customer.name | 客户}}，您好！您的问题由{{queue.name}}专属团队优先处理。",
     "VIP greeting", "Dear {{customer.name | valued customer}}, as a {{customer.tier | member}} your request goes straight to our {{queue.name}} team."),
    ("price", "presales", "价格咨询", "{{customer.name | 您}}好，{{产品名称}} 目前售价为 {{价格}} 元，本周下单还可享受满减优惠。",
     "Price question", "Hi {{customer.name | there}}, {{product}} is currently {{price}}; orders placed this week also get our bundle discount."),
    ("stock", "presales", "库存查询", "已为您查询，该商品目前有现货，今天16点前下单当天发出。",
     "Stock check", "Good news: it's in stock, and orders placed before 4 pm ship the same day."),
    ("bulk", "presales", "企业采购", "感谢您对我们的关注！企业采购满 50 台可享受阶梯价，我可以为您安排客户经理在一个工作日内联系您。",
     "Business purchase", "Thank you for your interest! Orders of 50 units or more get tiered pricing; I can have an account manager call you within one business day."),
    ("quote", "presales", "报价单", "报价单已生成，将发送至您的邮箱，有效期 15 天，如需盖章版请告诉我。",
     "Quotation", "Your quotation is ready and on its way to your inbox. It is valid for 15 days; let me know if you need a signed copy."),
    ("compare", "presales", "型号对比", "两款的主要区别在续航和降噪：Pro 版续航 30 小时并支持主动降噪，标准版续航 20 小时。",
     "Model comparison", "The main differences are battery and noise cancelling: the Pro lasts 30 hours with active noise cancelling, the standard 20 hours."),
    ("promo", "presales", "活动介绍", "本月会员日全场 9 折，叠加满 500 减 50，活动截止到月底。",
     "Current offers", "This month members get 10% off everything, plus 50 off orders over 500, until the end of the month."),
    ("warranty", "presales", "保修政策", "我们所有电子产品均享受一年免费保修，主要部件两年保修，凭订单号即可申请。",
     "Warranty", "All our electronics come with a one-year warranty, two years on main parts; the order number is all you need to claim."),
    ("pay", "presales", "支付方式", "我们支持微信、支付宝、银行卡和对公转账，企业客户可申请账期。",
     "Payment methods", "We accept cards, PayPal and bank transfer; business customers can apply for payment terms."),
    ("install", "presales", "安装服务", "大件商品包含免费上门安装，签收后请拨打服务热线预约时间。",
     "Installation", "Large items include free installation; after delivery, call our service line to book a time."),
    ("refund", "aftersales", "退款已办理", "已为您办理退款，款项会在 3-7 个工作日内原路退回，请留意银行通知。",
     "Refund issued", "I've issued your refund; it goes back to the original payment method within 3-7 business days."),
    ("refund-wait", "aftersales", "退款进度说明", "您的退款正在财务审核中，通常 1-2 个工作日完成，完成后会短信通知您。",
     "Refund in progress", "Your refund is with our finance team for approval, usually 1-2 business days; you'll get a text when it's done."),
    ("return", "aftersales", "退货流程", "请在订单详情页点击【申请退货】，选择上门取件，快递员会在 24 小时内联系您。",
     "How to return", "Open the order, choose \"Return item\" and pick a collection slot; the courier will contact you within 24 hours."),
    ("7day", "aftersales", "七天无理由", "您的订单在七天无理由退货期内，商品完好不影响二次销售即可办理。",
     "14-day returns", "Your order is within the 14-day return window; as long as the item is in resalable condition we can take it back."),
    ("track", "aftersales", "物流查询", "已为您查询，包裹目前在 {{城市}} 转运中心，预计 {{日期}} 送达。",
     "Tracking update", "Your parcel is at the {{city}} hub and should arrive on {{date}}."),
    ("resend", "aftersales", "补发商品", "非常抱歉给您带来不便，我们已为您免费补发，新运单号会短信发送给您。",
     "Replacement sent", "I'm sorry for the trouble; we've sent a free replacement and will text you the new tracking number."),
    ("invoice", "aftersales", "电子发票", "电子发票已开具，已发送至您的邮箱，请查收，如未收到请检查垃圾邮件。",
     "E-invoice", "Your e-invoice has been issued and e-mailed to you; if it isn't there, please check your spam folder."),
    ("invoice-fix", "aftersales", "发票重开", "原发票已作废，我们会按新的抬头重新开具，1 个工作日内发送。",
     "Invoice reissue", "The old invoice is cancelled; we'll reissue it with the corrected details within one business day."),
    ("repair", "aftersales", "保修维修", "您的产品在保修期内，请将商品寄回维修中心，往返运费由我们承担。",
     "Warranty repair", "Your product is under warranty; send it to our repair centre and we'll cover shipping both ways."),
    ("reset", "aftersales", "重置设备", "请长按电源键 10 秒直到指示灯闪烁，然后在 App 中重新添加设备。",
     "Reset the device", "Hold the power button for 10 seconds until the light flashes, then add the device again in the app."),
    ("password", "aftersales", "找回密码", "请在登录页点击【忘记密码】，通过绑定的手机号接收验证码即可重设。",
     "Reset password", "On the sign-in page choose \"Forgot password\" and we'll send a code to your registered phone."),
    ("address", "aftersales", "修改地址", "订单尚未发货，收货地址已为您修改为：{{新地址}}。",
     "Change address", "Your order hasn't shipped yet, so I've changed the delivery address to {{new address}}."),
    ("sorry", "complaints", "致歉", "{{customer.name | 您}}，非常抱歉给您带来不好的体验，这是我们的问题，我会负责跟进到底。",
     "Apology", "{{customer.name | I'm}} truly sorry for this experience. It's on us, and I'll personally see it through."),
    ("escalate", "complaints", "升级主管", "我已将您的问题升级给主管，主管会在今天 {{时间}} 前给您回电。",
     "Escalation", "I've escalated this to my supervisor, who will call you back today before {{time}}."),
    ("compensate", "complaints", "补偿方案", "为表歉意，我们为您申请了 {{金额}} 元无门槛优惠券，已发放到您的账户。",
     "Compensation", "As an apology we've added a {{amount}} voucher to your account, no minimum spend."),
    ("callback", "complaints", "约定回电", "我会在 {{sla.due | 今天下班前}} 给您回电告知处理结果，请保持电话畅通。",
     "Callback promise", "I'll call you back with the outcome by {{sla.due | the end of today}}; please keep your phone nearby."),
    ("listen", "complaints", "安抚情绪", "我完全理解您的心情，换作是我也会着急，请您放心，我们一定给您一个满意的答复。",
     "Acknowledge", "I completely understand why you're upset; I would be too. I'll make sure you get a proper answer."),
    ("12315", "complaints", "外部投诉处理", "我们已收到您的投诉反馈，专人将在 24 小时内联系您协商解决方案。",
     "Regulator complaint", "We've received your complaint via the consumer association; a specialist will contact you within 24 hours."),
    ("followup", "complaints", "回访", "您好，这里是客服{{agent.name}}，回访一下您上次反馈的问题是否已经解决？",
     "Follow-up", "Hi, this is {{agent.name}} following up: has the issue you reported been fully resolved?"),
]

# Guided call scripts: (id, shortcut, category, language, title, start, steps)
GUIDES: list[tuple[str, str, str, str, str, str, list[dict[str, Any]]]] = [
    ("g-refund-zh", "g-refund", "aftersales", "zh", "退款来电引导", "greet", [
        {"id": "greet", "title": "问候", "prompt": "您好，我是客服{{agent.name}}，请问是{{customer.name | 您}}本人吗？",
         "choices": [{"label": "是本人", "next": "verify"}, {"label": "代他人咨询", "next": "verify"}]},
        {"id": "verify", "title": "核实身份", "prompt": "请提供订单号和下单手机号后四位。", "ask": "订单号",
         "choices": [{"label": "核实通过", "next": "classify"}, {"label": "无法核实", "next": "close"}]},
        {"id": "classify", "title": "确认退款类型", "prompt": "请问商品是否已经发货？",
         "choices": [{"label": "未发货", "next": "refund_now"}, {"label": "已发货 / 已签收", "next": "return"},
                     {"label": "退款未到账", "next": "refund_status"}]},
        {"id": "refund_now", "title": "直接退款", "prompt": "订单未发货，我现在为您取消订单并原路退款，3-7 个工作日到账。",
         "choices": [{"label": "客户同意", "next": "confirm"}, {"label": "客户改变主意", "next": "close"}]},
        {"id": "return", "title": "退货退款", "prompt": "需要先寄回商品，我为您预约上门取件，仓库签收后立即退款。", "ask": "取件时间",
         "choices": [{"label": "已预约取件", "next": "confirm"}, {"label": "客户拒绝退货", "next": "close"}]},
        {"id": "refund_status", "title": "查询退款进度", "prompt": "我查一下退款进度。告知客户当前状态与预计到账时间。",
         "ask": "预计到账日期", "choices": [{"label": "已告知", "next": "confirm"}]},
        {"id": "confirm", "title": "确认方案", "prompt": "跟您确认一下：{{处理结果}}，请问还有其他问题吗？",
         "choices": [{"label": "没有了", "next": "close"}, {"label": "还有问题", "next": "classify"}]},
        {"id": "close", "title": "结束通话", "prompt": "感谢您的来电，稍后会有满意度短信，祝您生活愉快！"},
    ]),
    ("g-delivery-zh", "g-delivery", "complaints", "zh", "物流投诉引导", "greet", [
        {"id": "greet", "title": "问候与安抚", "prompt": "您好，我是客服{{agent.name}}，非常抱歉包裹让您久等了。",
         "choices": [{"label": "继续", "next": "verify"}]},
        {"id": "verify", "title": "核实订单", "prompt": "请提供订单号或运单号。", "ask": "运单号",
         "choices": [{"label": "已找到订单", "next": "classify"}, {"label": "找不到订单", "next": "close"}]},
        {"id": "classify", "title": "判断问题", "prompt": "查看物流轨迹，问题属于哪一类？",
         "choices": [{"label": "长时间未更新", "next": "lost"}, {"label": "显示签收但未收到", "next": "signed"},
                     {"label": "包裹破损", "next": "damaged"}]},
        {"id": "lost", "title": "疑似丢件", "prompt": "我会联系快递核查，48 小时内无结果将免费补发。",
         "choices": [{"label": "客户接受", "next": "confirm"}, {"label": "要求退款", "next": "confirm"}]},
        {"id": "signed", "title": "签收未收到", "prompt": "请先确认驿站、门卫或家人是否代收，我同时联系派送员。",
         "ask": "代收点", "choices": [{"label": "已找到包裹", "next": "confirm"}, {"label": "仍未找到", "next": "lost"}]},
        {"id": "damaged", "title": "包裹破损", "prompt": "请拍照上传外包装和商品，我为您优先补发或退款。",
         "choices": [{"label": "补发", "next": "confirm"}, {"label": "退款", "next": "confirm"}]},
        {"id": "confirm", "title": "确认处理结果", "prompt": "跟您确认处理方案，并告知后续会短信通知进度。",
         "choices": [{"label": "客户满意", "next": "close"}, {"label": "客户仍不满意，升级主管", "next": None}]},
        {"id": "close", "title": "结束通话", "prompt": "感谢您的理解，再次向您致歉，祝您生活愉快。"},
    ]),
    ("g-vip-en", "g-vip", "general", "en", "VIP callback", "greet", [
        {"id": "greet", "title": "Greeting", "prompt": "Good day {{customer.name | }}, this is {{agent.name}} from "
         "your dedicated {{queue.name | key-account}} team, returning your call.",
         "choices": [{"label": "Customer available", "next": "verify"}, {"label": "Not a good time", "next": "reschedule"}]},
        {"id": "reschedule", "title": "Reschedule", "prompt": "When would suit you better for a call back?", "ask": "New time",
         "choices": [{"label": "Time agreed", "next": None}]},
        {"id": "verify", "title": "Verify identity", "prompt": "For security, please confirm your company name and account e-mail.",
         "choices": [{"label": "Verified", "next": "classify"}, {"label": "Could not verify", "next": "close"}]},
        {"id": "classify", "title": "Reason for the call", "prompt": "What is the call about?",
         "choices": [{"label": "Order or delivery", "next": "solution"}, {"label": "Billing", "next": "solution"},
                     {"label": "Complaint", "next": "escalate"}]},
        {"id": "escalate", "title": "Escalate", "prompt": "Acknowledge, apologise and offer a manager call within 2 hours.",
         "ask": "Complaint summary", "choices": [{"label": "Escalated", "next": "confirm"}]},
        {"id": "solution", "title": "Solution", "prompt": "Explain the fix and the timeline.", "ask": "What was agreed",
         "choices": [{"label": "Solved on the call", "next": "confirm"}, {"label": "Needs follow-up", "next": "confirm"}]},
        {"id": "confirm", "title": "Confirm", "prompt": "Summarise what was agreed and ask if there is anything else.",
         "choices": [{"label": "Nothing else", "next": "close"}, {"label": "Another topic", "next": "classify"}]},
        {"id": "close", "title": "Close", "prompt": "Thank you for being a valued customer. Have a great day."},
    ]),
    ("g-refund-en", "g-refund-en", "aftersales", "en", "Refund call", "greet", [
        {"id": "greet", "title": "Greeting", "prompt": "Hello, this is {{agent.name}}. Am I speaking with {{customer.name | the account holder}}?",
         "choices": [{"label": "Yes", "next": "verify"}, {"label": "Calling for someone else", "next": "verify"}]},
        {"id": "verify", "title": "Verify", "prompt": "Please give me the order number and postcode.", "ask": "Order number",
         "choices": [{"label": "Verified", "next": "classify"}, {"label": "Cannot verify", "next": "close"}]},
        {"id": "classify", "title": "Classify", "prompt": "Has the item shipped?",
         "choices": [{"label": "Not shipped", "next": "solution"}, {"label": "Delivered", "next": "solution"}]},
        {"id": "solution", "title": "Refund", "prompt": "Explain the refund path and timeline (3-7 business days).",
         "choices": [{"label": "Agreed", "next": "close"}]},
        {"id": "close", "title": "Close", "prompt": "Thanks for calling; you'll receive a confirmation e-mail shortly."},
    ]),
]

# FAQ templates per language: (category, tag, title, body). {p} product, {code} model, {price} price.
FAQ_TEMPLATES: dict[str, list[tuple[str, str, str, str]]] = {
    "zh": [
        ("aftersales", "退款", "{p} 如何申请退款？",
         "{p}（型号 {code}）未发货订单可在订单详情页直接取消，款项 3-7 个工作日原路退回；已签收的需先申请退货，"
         "仓库签收后 24 小时内退款。退款进度可在【我的-退款】中查看。"),
        ("aftersales", "退货", "{p} 七天无理由退货条件",
         "{p} 签收后 7 天内，商品及配件齐全、不影响二次销售即可无理由退货。激活后的 {code} 如无质量问题不支持无理由退货。"),
        ("aftersales", "发票", "{p} 怎么开发票？",
         "购买 {p} 后可在订单详情页申请电子发票（普通发票或增值税专用发票），1 个工作日内发送至邮箱。补开发票请在签收后 90 天内申请。"),
        ("aftersales", "物流", "{p} 多久发货？物流怎么查？",
         "{p} 有现货时 16 点前下单当天发货，一般 1-3 天送达。物流信息可在订单详情页查看，运单号也会短信通知。"),
        ("aftersales", "保修", "{p} 的保修期是多久？",
         "{p}（{code}）整机保修一年，主要部件保修两年。保修期内非人为损坏免费维修，往返运费由我们承担。"),
        ("aftersales", "故障", "{p} 无法开机或连不上网怎么办？",
         "请先为 {p} 充电 30 分钟，然后长按电源键 10 秒重启。如仍无法连接 Wi-Fi，请在 App 中删除设备后重新添加，并确认使用 2.4GHz 网络。"),
        ("presales", "价格", "{p} 现在多少钱？有优惠吗？",
         "{p} 官方售价 {price} 元。会员日享 9 折，满 500 减 50；企业采购满 50 台可享阶梯价，请联系售前顾问获取报价。"),
        ("presales", "参数", "{p} 主要参数与包装清单",
         "{p}（型号 {code}）包装内含主机、充电线、说明书和保修卡。详细参数请见商品详情页规格表。"),
        ("complaints", "投诉", "对 {p} 的质量问题如何投诉？",
         "如 {p} 出现质量问题，可在 App【客服-投诉】提交照片与订单号，专人 24 小时内联系您，核实后可换新或退款并给予补偿。"),
    ],
    "en": [
        ("aftersales", "refund", "How do I get a refund for the {p}?",
         "If your {p} ({code}) hasn't shipped, cancel it from the order page and the refund reaches your card in "
         "3-7 business days. If it was delivered, start a return first; we refund within 24 hours of receiving it."),
        ("aftersales", "return", "{p}: 14-day return policy",
         "You can return the {p} within 14 days of delivery if it is complete and in resalable condition. "
         "An activated {code} can only be returned for a fault."),
        ("aftersales", "invoice", "How do I get an invoice for the {p}?",
         "Request an e-invoice for your {p} from the order page; it is e-mailed within one business day. "
         "Invoices can be requested up to 90 days after delivery."),
        ("aftersales", "delivery", "When will my {p} ship and how do I track it?",
         "Orders for the {p} placed before 4 pm ship the same day and usually arrive in 1-3 days. "
         "Tracking is on the order page and we text you the tracking number."),
        ("aftersales", "warranty", "What is the warranty on the {p}?",
         "The {p} ({code}) has a one-year warranty, two years on main parts. Repairs under warranty are free, "
         "including shipping both ways."),
        ("aftersales", "troubleshooting", "My {p} won't turn on or connect to Wi-Fi",
         "Charge the {p} for 30 minutes, then hold the power button for 10 seconds to restart it. If Wi-Fi still "
         "fails, remove the device in the app, add it again and make sure you use a 2.4 GHz network."),
        ("presales", "price", "How much is the {p}? Any discounts?",
         "The {p} costs {price} CNY. Members get 10% off on member days; business orders of 50+ units get tiered "
         "pricing, ask our sales team for a quote."),
        ("presales", "specs", "{p}: specifications and what's in the box",
         "The {p} ({code}) comes with the main unit, a charging cable, a manual and the warranty card. "
         "Full specifications are on the product page."),
        ("complaints", "complaint", "How do I complain about a faulty {p}?",
         "If your {p} is faulty, submit photos and the order number under Support > Complaints in the app. "
         "A specialist contacts you within 24 hours and can replace or refund it with compensation."),
    ],
}

GENERAL_FAQ: list[tuple[str, str, str, str, str]] = [
    ("zh", "aftersales", "退款到账时间说明", "退款", "支付宝、微信退款 1-3 个工作日到账，银行卡 3-7 个工作日，信用卡以账单日为准。"),
    ("zh", "aftersales", "如何修改收货地址", "地址", "订单发货前可在订单详情页修改收货地址；已发货的订单请联系快递改派。"),
    ("zh", "aftersales", "会员积分规则", "会员", "每消费 1 元累计 1 积分，100 积分可抵 1 元，积分有效期两年。"),
    ("zh", "aftersales", "账号被锁定怎么办", "账号", "连续 5 次输错密码账号会锁定 30 分钟，可通过【忘记密码】用手机验证码解锁。"),
    ("zh", "complaints", "投诉处理时效", "投诉", "投诉会在 24 小时内由专人联系，3 个工作日内给出处理结果。"),
    ("zh", "presales", "企业采购流程", "采购", "提交采购需求 → 客户经理报价 → 签订合同 → 对公付款 → 发货并开具增值税专用发票。"),
    ("en", "aftersales", "How long does a refund take?", "refund", "Refunds to PayPal take 1-3 business days, to cards 3-7 business days."),
    ("en", "aftersales", "Can I change my delivery address?", "address", "Before shipping you can edit the address on the order page; after shipping ask the courier to redirect."),
    ("en", "aftersales", "Locked out of my account", "account", "After five wrong passwords the account locks for 30 minutes; use Forgot password to unlock it at once."),
    ("en", "complaints", "How complaints are handled", "complaint", "A specialist contacts you within 24 hours and we resolve complaints within 3 business days."),
    ("en", "presales", "Business purchasing", "business", "Send us your requirements, receive a quote, sign, pay by bank transfer, and we ship with a VAT invoice."),
]

KB_URL = "https://help.example.com/kb/"


def _time(now: datetime, rng: random.Random) -> str:
    return to_iso(now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440)))


def build_scripts(now: datetime, rng: random.Random) -> list[Record]:
    records: list[Record] = []
    for index, (shortcut, category, zh_title, zh_body, en_title, en_body) in enumerate(SCRIPTS):
        for language, title, body in (("zh", zh_title, zh_body), ("en", en_title, en_body)):
            records.append((f"s-{index + 1:03d}-{language}", {
                "title": title, "body": body, "category": category, "language": language,
                "shortcut": shortcut if language == "zh" else f"{shortcut}-en",
                "tags": [category], "scope": "shared", "owner_id": None, "kind": "text",
                "used_count": rng.randint(0, 400), "updated_at": _time(now, rng),
            }))
    for script_id, shortcut, category, language, title, start, steps in GUIDES:
        records.append((script_id, {
            "title": title, "body": "", "category": category, "language": language, "shortcut": shortcut,
            "tags": ["guided"], "scope": "shared", "owner_id": None, "kind": "guided", "start": start,
            "steps": steps, "used_count": rng.randint(0, 60), "updated_at": _time(now, rng),
        }))
    return records


def build_articles(now: datetime, rng: random.Random) -> list[Record]:
    records: list[Record] = []
    for language, templates in FAQ_TEMPLATES.items():
        for product_index, (zh_name, en_name, price, code) in enumerate(PRODUCTS):
            name = zh_name if language == "zh" else en_name
            for template_index, (category, tag, title, body) in enumerate(templates):
                article_id = f"kb-{language}-{product_index + 1:02d}-{template_index + 1:02d}"
                records.append((article_id, _article(now, rng, language, category, [tag, code],
                                                     title.format(p=name), body.format(p=name, code=code, price=f"{price:.0f}"),
                                                     article_id)))
    for index, (language, category, title, tag, body) in enumerate(GENERAL_FAQ):
        article_id = f"kb-{language}-general-{index + 1:02d}"
        records.append((article_id, _article(now, rng, language, category, [tag], title, body, article_id)))
    return records


def _article(now: datetime, rng: random.Random, language: str, category: str, tags: list[str], title: str,
             body: str, article_id: str) -> dict[str, Any]:
    helpful = rng.randint(0, 80)
    return {"title": title, "body": body, "category": category, "tags": tags, "language": language,
            "url": KB_URL + article_id, "updated_at": _time(now, rng), "used_count": rng.randint(0, 300),
            "helpful_count": helpful, "not_helpful_count": rng.randint(0, helpful // 4 + 1)}


def load(conn: sqlite3.Connection, seed: int, now: datetime | None = None) -> None:
    """Write the demo scripts and articles (inside load_demo's transaction)."""
    rng = random.Random(seed + 31)
    moment = now or utcnow()
    store.store_many(conn, "script", build_scripts(moment, rng))
    store.store_many(conn, "faq_article", build_articles(moment, rng))


def bulk_scripts(count: int, seed: int = 7) -> list[Record]:
    """`count` script records cycling through the demo ones with varied titles (benchmark data)."""
    rng = random.Random(seed)
    base = [r for r in build_scripts(utcnow(), rng) if r[1]["kind"] == "text"]
    out: list[Record] = []
    for number in range(count):
        source_id, data = base[number % len(base)]
        variant = number // len(base)
        out.append((f"{source_id}-b{variant}", {**data, "title": f"{data['title']} #{variant}",
                                                "shortcut": f"{data['shortcut']}{variant}"[:32]}))
    return out


def bulk_articles(count: int, seed: int = 7) -> list[Record]:
    rng = random.Random(seed)
    base = build_articles(utcnow(), rng)
    out: list[Record] = []
    for number in range(count):
        source_id, data = base[number % len(base)]
        variant = number // len(base)
        out.append((f"{source_id}-b{variant}", {**data, "title": f"{data['title']} ({variant})"}))
    return out

"""Word lists and sentence templates for the demo data and the simulator (Chinese and English).

Templates are combined at random and their `{slots}` filled per conversation (see
`demo_data.make_slots`), so the same order number or product runs through a whole thread.
"""

from __future__ import annotations

# (character(s), pinyin): pinyin builds plausible e-mail addresses and handles.
SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("罗", "luo"), ("高", "gao"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
]
GIVEN_NAMES = [
    ("伟", "wei"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"), ("洋", "yang"),
    ("艳", "yan"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("丽", "li"), ("强", "qiang"), ("平", "ping"),
    ("桂英", "guiying"), ("晓东", "xiaodong"), ("雪", "xue"), ("婷", "ting"), ("浩", "hao"),
    ("欣怡", "xinyi"), ("子涵", "zihan"), ("宇轩", "yuxuan"), ("建华", "jianhua"), ("志强", "zhiqiang"),
    ("海燕", "haiyan"), ("文博", "wenbo"),
]
HONORIFICS = ["先生", "女士"]
FIRST_NAMES = [
    "James", "Emily", "Michael", "Sarah", "David", "Olivia", "Daniel", "Sophie", "Chris", "Hannah",
    "Tom", "Grace", "Lucas", "Mia", "Ryan", "Chloe", "Ethan", "Laura", "Ben", "Anna", "Kevin", "Nina",
]
LAST_NAMES = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Nguyen", "Müller", "Garcia", "Evans",
    "Walker", "Wright", "Hughes", "Patel", "Kim", "Schmidt", "Rossi", "Murphy", "Lee", "Wong",
]
MAIL_DOMAINS_ZH = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com"]
MAIL_DOMAINS_EN = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me"]
PHONE_PREFIXES_ZH = ["130", "133", "135", "136", "137", "138", "139", "150", "152", "158", "186", "188", "189"]

COMPANY_CITIES = ["上海", "北京", "深圳", "杭州", "广州", "成都", "苏州", "南京", "武汉", "厦门"]
COMPANY_WORDS = ["恒通", "华信", "瑞丰", "鼎盛", "宏达", "金桥", "新锐", "博远", "汇智", "嘉禾"]
COMPANY_TRADES = ["贸易", "科技", "电子", "物流", "餐饮管理", "信息技术", "文化传媒", "医疗器械"]
COMPANY_NAMES_EN = ["Acme", "Northwind", "Bluebird", "Summit", "Harbor", "Pioneer", "Evergreen", "Atlas"]
COMPANY_TRADES_EN = ["Trading", "Logistics", "Foods", "Systems", "Retail", "Labs", "Media"]
COMPANY_SUFFIXES_EN = ["Ltd", "Inc.", "GmbH", "Co.", "LLC"]

CUSTOMER_TAGS = ["member", "repeat-buyer", "price-sensitive", "business", "complained-before", "newsletter"]

# (Chinese name, English name, price in CNY, model code)
PRODUCTS = [
    ("智能手表 S3", "Smart Watch S3", 1299.0, "WS3-42"),
    ("无线降噪耳机 Pro", "Noise-cancelling Earbuds Pro", 899.0, "EB-P2"),
    ("空气净化器 A7", "Air Purifier A7", 2199.0, "AP-A7"),
    ("扫地机器人 X10", "Robot Vacuum X10", 2999.0, "RV-X10"),
    ("电动牙刷 C2", "Electric Toothbrush C2", 299.0, "TB-C2"),
    ("保温杯 500ml", "Insulated Bottle 500 ml", 129.0, "BT-500"),
    ("蓝牙音箱 Mini", "Bluetooth Speaker Mini", 349.0, "SP-M1"),
    ("儿童学习平板 K8", "Kids Learning Tablet K8", 1599.0, "KT-K8"),
    ("咖啡机 Barista 2", "Barista 2 Coffee Machine", 3499.0, "CM-B2"),
    ("加湿器 H5", "Humidifier H5", 399.0, "HU-H5"),
    ("移动电源 20000mAh", "Power Bank 20000 mAh", 199.0, "PB-20K"),
    ("机械键盘 K87", "Mechanical Keyboard K87", 549.0, "KB-K87"),
]
COURIERS_ZH = [("顺丰速运", "SF"), ("中通快递", "ZT"), ("圆通速递", "YT"), ("京东物流", "JD"), ("韵达快递", "YD"), ("EMS", "EM")]
COURIERS_EN = [("UPS", "1Z"), ("FedEx", "FX"), ("DHL", "DH"), ("Royal Mail", "RM"), ("USPS", "US")]
CITIES_ZH = ["上海", "广州", "武汉", "郑州", "成都", "杭州", "北京"]
CITIES_EN = ["London", "Manchester", "Chicago", "Newark", "Leipzig", "Rotterdam"]

TOPICS = ("refund", "delivery", "product", "invoice", "account", "complaint", "presales")
TOPIC_WEIGHTS = (20, 22, 15, 10, 10, 10, 13)

# Per language and topic: details and requests added to the customer's first message,
# customer follow-ups, agent first answers and progress updates, internal notes.
TEXT: dict[str, dict[str, dict[str, list[str]]]] = {
    "zh": {
        "refund": {
            "detail": [
                "商品没有拆封，包装和配件都在。",
                "付款用的是微信支付，金额{amount}。",
                "APP里一直显示“退款处理中”。",
                "快递已经寄回去了，单号{tracking}。",
                "我已经在订单里上传了照片，麻烦看一下。",
            ],
            "request": ["请问多久能到账？", "麻烦尽快帮我处理一下，谢谢。", "需要我寄回吗？运费由谁承担？",
                        "能不能直接退到原支付账户？", "请给个明确的答复。"],
            "follow": [
                "订单号是{order}，付款金额{amount}。",
                "我刚查了一下银行卡，还是没有收到退款。",
                "已经按你们说的寄回了，快递单号{tracking}，请查收。",
                "好的，那我等三到五个工作日再看看。",
                "都过去好几天了，到底什么时候能退？",
            ],
            "ask": [
                "非常抱歉给您带来不便，请提供一下订单号和收货手机号后四位，我马上为您查询。",
                "已收到您的退款申请，我这边正在核实订单{order}的状态，请稍等。",
                "为了尽快处理，麻烦您拍一下商品和外包装的照片发给我。",
            ],
            "update": ["仓库还在质检您退回的商品，预计明天出结果，有结果我第一时间通知您。",
                       "财务那边已经审核通过，正在等待银行处理。"],
            "note": ["客户第二次催退款，已加急提交财务，订单{order}。",
                     "退回商品外包装破损，需要仓库确认是否影响退款。",
                     "客户比较着急，建议今天内回电确认到账情况。"],
        },
        "invoice": {
            "detail": ["税号是{tax_id}。", "发票请发到邮箱{email}。", "财务月底要报账，比较急。",
                       "之前那张发票号码是{invoice_no}，需要作废重开。"],
            "request": ["请问大概多久能开好？", "麻烦帮忙处理一下。", "需要我提供哪些资料？"],
            "follow": ["税号{tax_id}，开户行和账号稍后发您。", "邮箱是{email}，谢谢。",
                       "发票开好了吗？我这边还没看到邮件。", "抬头是{company}，不是个人。"],
            "ask": ["请提供一下发票抬头、税号和接收邮箱，我为您提交开票申请。",
                    "好的，我已经记录您的开票需求，请确认抬头是否为{company}？"],
            "update": ["开票申请已经提交财务，今天下班前会开出来。"],
            "note": ["专票需要财务审核营业执照，已转财务组。", "客户要求月底前收到发票，已备注加急。"],
        },
        "delivery": {
            "detail": ["家里一直有人，也没有接到快递员电话。", "我问了小区驿站，他们说没有这个包裹。",
                       "这是送朋友的生日礼物，比较急。", "页面上写的是48小时内发货。"],
            "request": ["麻烦帮我催一下。", "请问到底什么时候能送到？", "能不能帮我联系一下快递公司？", "如果丢件了怎么处理？"],
            "follow": ["单号是{tracking}，你们查一下。", "今天还是没有动静，物流还是停在{city}转运中心。",
                       "快递员说明天送，我再等等。", "已经收到了，包装有点压坏，东西没事。"],
            "ask": ["非常抱歉让您久等了，我马上为您联系{courier}核实包裹位置，请稍等。",
                    "已查询到您的包裹目前在{city}转运中心，我已经提交催件，请您再耐心等待一下。"],
            "update": ["快递公司回复包裹已经从{city}发出，预计后天送达。"],
            "note": ["已在{courier}系统提交催件工单，48小时后回访。", "疑似丢件，已发起理赔，补发需主管审批。"],
        },
        "complaint": {
            "detail": ["订单号{order}，之前的沟通记录你们可以自己查。", "我对这个处理结果非常不满意。", "浪费了我很多时间。"],
            "request": ["请你们主管给我回电话。", "如果今天还不解决我就去12315投诉。", "希望给我一个合理的解释和补偿。"],
            "follow": ["我的电话是尾号{phone_tail}的号码，请尽快联系我。",
                       "补偿我可以接受，但希望以后不要再出现这样的情况。", "你们说的方案我不接受。"],
            "ask": ["非常抱歉给您带来这么不好的体验，您的问题我已经升级给主管处理，今天内会给您回电。",
                    "真的很抱歉，我已经完整记录了您反馈的情况，请问方便留一个联系时间吗？"],
            "update": ["主管正在核实之前的沟通记录，下午会给您答复。"],
            "note": ["高风险投诉，客户提到12315，已升级组长。", "客户历史投诉两次，处理时注意语气。",
                     "补偿方案已获主管批准：{coupon}元券+换新。"],
        },
        "product": {
            "detail": ["是{date}买的，订单{order}。", "已经试过重启，还是不行。", "App版本是最新的。"],
            "request": ["请问怎么解决？", "需要寄修吗？", "有没有视频教程？"],
            "follow": ["按你说的长按重置了，还是一样。", "好的，可以了，谢谢！", "型号在底部标签上写的是{model}。"],
            "ask": ["请问您的{product}是什么型号？底部标签上有写。", "请您先长按电源键10秒重置一下，看看能否恢复。"],
            "update": ["技术同事正在确认这个问题，稍后回复您。"],
            "note": ["同批次{product}有类似故障反馈，已同步产品部。"],
        },
        "account": {
            "detail": ["原来绑定的号码尾号是{phone_tail}。", "已经试过找回密码，也不行。", "我没有做过任何兑换。"],
            "request": ["请帮我看看。", "怎么操作？", "能帮我恢复吗？"],
            "follow": ["手机号后四位是{phone_tail}。", "收到验证码了，已经登录成功。"],
            "ask": ["为了保障账户安全，请您提供注册时的手机号和最近一笔订单号进行身份核实。",
                    "请问您最后一次成功登录大概是什么时候？"],
            "update": ["安全团队正在核查账户登录记录，请稍候。"],
            "note": ["账户存在异地登录记录，已建议客户修改密码。"],
        },
        "presales": {
            "detail": ["主要是办公室用。", "想在月底前买。", "需要开专票。"],
            "request": ["能给个报价吗？", "什么时候发货？", "有现货吗？"],
            "follow": ["{qty}台的话能便宜多少？", "好的，那我下单了。", "报价单请发到{email}。"],
            "ask": ["{product}目前售价{amount}，请问您是自用还是企业采购？",
                    "感谢您的关注！请问您大概需要多少台？我帮您申请企业价。"],
            "update": ["企业价还在审批中，明天上午给您正式报价。"],
            "note": ["企业客户潜在大单，已通知大客户经理跟进。"],
        },
    },
    "en": {
        "refund": {
            "detail": [
                "The box is unopened and all accessories are included.",
                "I paid {amount} by credit card.",
                "The app has said \"refund in progress\" for days.",
                "I already shipped it back, tracking number {tracking}.",
                "I've uploaded photos in the app.",
            ],
            "request": ["How long will it take to get my money back?", "Could you please sort this out quickly?",
                        "Do I need to send it back, and who pays for shipping?",
                        "Can the refund go back to my original payment method?", "Please give me a clear answer."],
            "follow": [
                "The order number is {order} and I paid {amount}.",
                "I just checked my card statement and the refund still isn't there.",
                "I've sent it back as you asked, tracking {tracking}.",
                "OK, I'll wait 3-5 business days and check again.",
                "It's been days now. When exactly will I get my refund?",
            ],
            "ask": [
                "I'm sorry for the trouble. Could you share your order number and the last four digits of the "
                "phone number on the order? I'll look into it right away.",
                "Thanks, I've got your refund request and I'm checking the status of order {order} now.",
                "To speed things up, could you send a photo of the item and its packaging?",
            ],
            "update": ["Quick update: the warehouse is still inspecting the returned item; we'll know more tomorrow.",
                       "Finance has approved the refund; it's now with the bank."],
            "note": ["Second chase for this refund; escalated to finance, order {order}.",
                     "Returned item arrived with damaged packaging, waiting for the warehouse to confirm eligibility.",
                     "Customer is upset: call back today to confirm the refund arrived."],
        },
        "invoice": {
            "detail": ["Our VAT number is {tax_id}.", "Please send it to {email}.",
                       "Our accounts team closes the month on Friday, so it's a bit urgent.",
                       "The old invoice number is {invoice_no} and it should be cancelled."],
            "request": ["How long will it take?", "Please let me know if you need anything else.",
                        "What details do you need from me?"],
            "follow": ["VAT number {tax_id}; I'll send the billing address separately.",
                       "The e-mail address is {email}, thanks.", "Has the invoice been sent? I haven't seen it yet.",
                       "It should be {company}, not my personal name."],
            "ask": ["Happy to help. Please send the company name, VAT number and the e-mail address the invoice "
                    "should go to.",
                    "I've noted your request. Can you confirm the invoice should be made out to {company}?"],
            "update": ["Your request is with finance; the invoice will be issued before the end of today."],
            "note": ["VAT invoice needs finance to verify the business licence; forwarded to finance.",
                     "Customer needs the invoice before month end, marked urgent."],
        },
        "delivery": {
            "detail": ["Someone was home all day and nobody called.",
                       "I checked with my neighbours and the front desk: nothing.",
                       "It's a birthday present, so it's time-sensitive.",
                       "Your website promised dispatch within 48 hours."],
            "request": ["Could you chase this for me?", "When will it actually arrive?", "Can you contact the courier?",
                        "What happens if it's lost?"],
            "follow": ["The tracking number is {tracking}.", "Still nothing today; it's stuck at the {city} depot.",
                       "The driver says tomorrow, I'll wait.",
                       "It arrived. The box is a bit crushed but the item is fine."],
            "ask": ["Sorry for the wait. I'm contacting {courier} now to find out where your parcel is.",
                    "Your parcel is currently at the {city} depot. I've raised a priority request with the courier."],
            "update": ["The courier confirms your parcel has left {city}; it should arrive the day after tomorrow."],
            "note": ["Chase raised with {courier}; follow up in 48 h.",
                     "Probably lost; claim opened, replacement needs lead approval."],
        },
        "complaint": {
            "detail": ["Order {order}; you can check the previous conversations yourselves.",
                       "I'm really not happy with how this has been handled.", "This has wasted a lot of my time."],
            "request": ["I want a manager to call me.", "If this isn't resolved today I'll file a formal complaint.",
                        "I expect an explanation and some compensation."],
            "follow": ["My number ends in {phone_tail}, please call me.",
                       "I'll accept the compensation, but I hope this doesn't happen again.",
                       "That offer is not acceptable to me."],
            "ask": ["I'm very sorry about this experience. I've escalated your case to my team lead, who will call "
                    "you today.",
                    "I apologise. I've recorded everything you told me; when is a good time to call you?"],
            "update": ["My lead is reviewing the earlier conversations and will get back to you this afternoon."],
            "note": ["High-risk complaint, customer threatening a formal complaint; escalated to lead.",
                     "Customer has complained twice before, handle with care.",
                     "Compensation approved by lead: {coupon_usd} credit + replacement."],
        },
        "product": {
            "detail": ["I bought it on {date}, order {order}.", "I've already tried restarting it.", "The app is up to date."],
            "request": ["How can I fix it?", "Do I need to send it in for repair?", "Is there a video guide?"],
            "follow": ["I did the reset you suggested and it's still the same.", "That worked, thanks!",
                       "The label on the bottom says model {model}."],
            "ask": ["Could you tell me the model number of your {product}? It's on the label underneath.",
                    "Please hold the power button for 10 seconds to reset it and let me know if that helps."],
            "update": ["Our technical team is checking this and I'll get back to you shortly."],
            "note": ["Several reports of the same fault on this {product} batch; passed to the product team."],
        },
        "account": {
            "detail": ["My old number ended in {phone_tail}.", "Password reset didn't work either.",
                       "I haven't redeemed anything."],
            "request": ["Can you take a look?", "How do I do that?", "Can you restore them?"],
            "follow": ["The last four digits are {phone_tail}.", "Got the code, I'm logged in now."],
            "ask": ["For your security, please confirm the phone number you registered with and your most recent "
                    "order number.",
                    "When did you last log in successfully?"],
            "update": ["Our security team is reviewing the sign-in history; I'll update you soon."],
            "note": ["Logins from an unusual location on this account; advised the customer to change password."],
        },
        "presales": {
            "detail": ["It's mainly for office use.", "We'd like to buy before the end of the month.",
                       "We'll need a VAT invoice."],
            "request": ["Could you send me a quote?", "When would it ship?", "Is it in stock?"],
            "follow": ["How much cheaper would {qty} units be?", "Great, I'll place the order.",
                       "Please send the quote to {email}."],
            "ask": ["The {product} is currently {amount}. Is it for personal use or for your company?",
                    "Thanks for your interest! Roughly how many units do you need? I can request business pricing."],
            "update": ["Business pricing is being approved; you'll have a formal quote tomorrow morning."],
            "note": ["Potential large business order; key account manager informed."],
        },
    },
}

# Phrases shared by all topics.
COMMON: dict[str, dict[str, list[str]]] = {
    "zh": {
        "greeting": ["你好，", "您好，", "客服您好，", "在吗？", ""],
        "agent_greeting": ["您好，我是客服{agent}，", "您好，", "感谢您的耐心等待，", "亲，您好，"],
        "agent_sign_off": ["还有其他可以帮您的吗？", "如有其他问题随时联系我们。", "祝您生活愉快！", ""],
        "thanks": ["好的，谢谢！", "收到，辛苦了。", "行，那就这样吧，谢谢。", "明白了，谢谢你的帮助。", "好的，我等你们消息。"],
        "closing": ["不客气，很高兴能帮到您，祝您生活愉快！", "感谢您的理解与支持，如有问题随时联系我们。",
                    "问题已处理完毕，本次会话即将结束，欢迎您对我的服务进行评价。"],
        "nudge": ["在吗？怎么没人回复？", "请问有结果了吗？", "还需要等多久？"],
        "ask_more": ["好的，我再确认一下：", "明白，", "收到，"],
        "follow": ["好的，明白了。", "那我再等等。", "麻烦快一点，谢谢。", "还有别的办法吗？"],
        "update": ["我这边还在跟进，有进展马上告诉您。", "已经帮您催促相关部门了，请再耐心等一下。",
                   "收到，我记录一下，稍后给您回复。"],
        "email_in": ["{body}\n\n{customer}"],
        "email_out": ["尊敬的{customer}：\n\n{body}\n\n{agent}\n客户服务中心"],
        "phone_in": ["【来电记录】{body}"],
        "phone_out": ["【回电】{body}"],
    },
    "en": {
        "greeting": ["Hi!", "Hello.", "Hi there.", "Good morning.", ""],
        "agent_greeting": ["Hi {first}!", "Hi {first}, thanks for getting in touch.", "Thanks for waiting.", "Hello!"],
        "agent_sign_off": ["Is there anything else I can help with?", "Let us know if you have any other questions.",
                           "Have a great day!", ""],
        "thanks": ["Great, thank you!", "Thanks for your help.", "OK, thanks.", "Got it, thanks a lot.",
                   "OK, I'll wait to hear from you."],
        "closing": ["You're welcome, glad I could help. Have a great day!",
                    "Thanks for your patience. Feel free to contact us any time.",
                    "I'll close this conversation now. Thank you for contacting us!"],
        "nudge": ["Hello? Is anyone there?", "Any update on this?", "How much longer do I need to wait?"],
        "ask_more": ["One more thing:", "Understood.", "Thanks."],
        "follow": ["OK, understood.", "I'll wait then.", "Please hurry, thanks.", "Is there anything else I can try?"],
        "update": ["I'm still following this up and will tell you as soon as I hear back.",
                   "I've chased the team responsible; thanks for bearing with us.",
                   "Noted. I'll come back to you shortly."],
        "email_in": ["{body}\n\nBest regards,\n{customer}", "{body}\n\nThanks,\n{first}"],
        "email_out": ["Dear {customer},\n\n{body}\n\nKind regards,\n{agent}\nCustomer Service"],
        "phone_in": ["[Call transcript] {body}"],
        "phone_out": ["[Call back] {body}"],
    },
}

QUEUES = [
    ("q-presales", "售前咨询", "Pre-sales", "价格、库存、企业采购咨询 / prices, stock and business purchases"),
    ("q-aftersales", "售后服务", "After-sales", "退款、物流、发票、账号与产品问题 / refunds, delivery, invoices, accounts"),
    ("q-complaints", "投诉", "Complaints", "投诉与升级处理 / complaints and escalations"),
    ("q-key-accounts", "大客户", "Key accounts", "VIP 与大客户专属服务 / VIP and key-account customers"),
]

# username, display name, queues
AGENTS = [
    ("agent1", "陈静", ["q-presales", "q-aftersales", "q-complaints", "q-key-accounts"]),
    ("agent2", "王磊", ["q-presales", "q-aftersales"]),
    ("agent3", "李婷", ["q-presales", "q-aftersales"]),
    ("agent4", "张浩", ["q-aftersales", "q-complaints"]),
    ("agent5", "刘洋", ["q-aftersales", "q-complaints"]),
    ("agent6", "杨帆", ["q-aftersales", "q-complaints"]),
    ("agent7", "赵敏", ["q-complaints", "q-key-accounts"]),
    ("agent8", "黄俊", ["q-key-accounts", "q-aftersales"]),
    ("agent9", "周雪", ["q-key-accounts", "q-aftersales"]),
    ("agent10", "吴昊", ["q-presales", "q-key-accounts"]),
]
LEADS = [("lead1", "林海燕", ["q-presales", "q-aftersales", "q-complaints", "q-key-accounts"])]

# One case per row: (subject, the customer's problem, the agent's solution), kept aligned so a
# thread about a lost parcel ends with a parcel found, not with a refund.
CASES: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    "zh": {
        "refund": [
            ("申请退款：订单{order}", "我{date}买的{product}（订单号{order}）想申请退款。",
             "已为您办理退款{amount}，款项会在{refund_days}个工作日内原路退回到您的支付账户。"),
            ("{product}退货退款", "订单{order}的{product}收到后发现外壳有裂痕，想退货退款。",
             "已为您预约上门取件，仓库签收{product}后会立即退款{amount}，来回运费由我们承担。"),
            ("退款还没到账", "我的退款申请已经提交三天了，订单号{order}，钱还没退回来。",
             "经核实，退款已于今天上午发出，银行入账可能有1-3天延迟，请留意短信通知。"),
            ("七天无理由退货：{product}", "{product}用着不太合适，还在七天无理由期内，想办理退货。",
             "您的订单符合七天无理由退货，我已为您预约上门取件，快递员明天会联系您。"),
            ("上周的退款{amount}还没收到", "上周申请的退款{amount}一直没有到账。",
             "很抱歉，您的退款卡在了财务审核环节，我已经加急处理，预计{refund_days}个工作日内到账。"),
        ],
        "invoice": [
            ("开具发票", "订单{order}需要开发票，抬头是{company}。",
             "电子发票已开具，发票号码{invoice_no}，已发送至{email}，请查收。"),
            ("发票抬头填错了", "我收到的电子发票抬头写错了，需要重新开一张。",
             "原发票已作废，抬头已更正为{company}，新的发票会在1个工作日内发送到您的邮箱。"),
            ("申请增值税专用发票", "我们公司需要增值税专用发票，订单号{order}，金额{amount}。",
             "增值税专用发票已开具，将通过顺丰寄出，预计{days}天内送达。"),
            ("订单{order}补开发票", "下单时忘记勾选发票了，现在还能补开吗？",
             "可以补开的，我已为您提交补开申请，电子发票会在1个工作日内发送到{email}。"),
        ],
        "delivery": [
            ("快递一直没到", "我{date}下的单，订单号{order}，到现在还没收到货。",
             "已联系{courier}，包裹明天会优先派送，派送员会提前电话联系您。"),
            ("物流信息不更新", "{courier}的物流信息已经{days}天没有更新了，单号{tracking}。",
             "经核实包裹在运输中丢失，我们已为您重新补发{product}，新单号{tracking}。"),
            ("快递显示已签收但没收到", "快递显示已签收，但我根本没收到{product}。",
             "包裹已被驿站代收，取件码已通过短信发送给您，请注意查收。"),
            ("订单{order}什么时候发货", "下单都{days}天了还没发货，请问怎么回事？",
             "非常抱歉，仓库备货延误了，您的订单今天下午会发出，发货后会短信通知您单号。"),
        ],
        "complaint": [
            ("投诉：多次联系无人解决", "我要投诉！这已经是我第三次联系你们了，问题还是没解决。",
             "经过核实，确实是我们的处理失误，为表歉意，我们为您申请了{coupon}元无门槛优惠券，您的问题今天内一定解决。"),
            ("投诉{product}质量问题", "买的{product}用了不到一周就坏了，质量太差了。",
             "主管已经审核，您的{product}可以直接换新，并补偿{coupon}元，请问您是否接受？"),
            ("投诉：答应回电却没人联系", "上次客服答应给我回电话，结果一直没人联系我。",
             "非常抱歉没有按约定回电，主管今天下午会亲自给您打电话，并为您申请了{coupon}元补偿。"),
            ("投诉：售后处理太慢", "你们的售后处理太慢了，一个退款拖了{days}天。",
             "您的退款已加急处理，今天内到账，同时补偿{coupon}元优惠券，再次向您表示歉意。"),
        ],
        "product": [
            ("{product}能连苹果手机吗", "请问{product}可以连接苹果手机吗？",
             "{product}支持iOS和安卓系统，下载官方App后按提示配对即可。"),
            ("{product}充不进电", "我的{product}充不进电了，指示灯一直闪。",
             "您的{product}在保修期内，可以免费寄修，我已为您创建寄修单，请按短信里的地址寄回。"),
            ("{product}怎么设置定时", "{product}的说明书看不太懂，怎么设置定时？",
             "该功能需要在App中开启：设置 → 设备 → 定时，开启后即可使用。"),
            ("{product}保修问题", "{product}保修期是多久？",
             "{product}整机保修一年，电池保修六个月，凭订单号即可享受保修服务。"),
        ],
        "account": [
            ("账号无法登录", "我的账号登录不上了，一直提示密码错误。",
             "已为您解除账户锁定，请使用“忘记密码”重新设置密码后登录。"),
            ("修改绑定手机号", "我换手机号了，想把账号绑定的手机号改一下。", "手机号已更换成功，下次请使用新号码登录。"),
            ("收不到验证码", "注册时一直收不到短信验证码。", "您的号码被运营商误拦截了，我已为您加入白名单，请重新获取验证码试试。"),
            ("会员积分不见了", "我账户里的积分突然少了很多。", "积分已核实恢复，共{points}分，已返还到您的账户。"),
        ],
        "presales": [
            ("{product}价格咨询", "想问一下{product}现在多少钱？",
             "目前有现货，{product}售价{amount}，今天下单明天发货，还赠送一年延保。"),
            ("批量采购咨询", "我们公司想采购{qty}台{product}，有批发价吗？",
             "{qty}台以上可以享受企业价9折，报价单已发送到{email}，有效期7天。"),
            ("{product}和{product2}怎么选", "{product}和{product2}有什么区别？",
             "两款的主要区别是续航和降噪效果，您注重续航的话推荐{product}。"),
            ("{product}有没有优惠", "请问{product}最近有活动吗？", "本周{product}参加满减活动，下单立减{coupon}元，还可以叠加会员积分。"),
        ],
    },
    "en": {
        "refund": [
            ("Refund request for order {order}", "I bought the {product} on {date} (order {order}) and would like a refund.",
             "I've issued a refund of {amount}; it will be back on your original payment method within "
             "{refund_days} business days."),
            ("Return and refund: {product}",
             "The {product} from order {order} arrived with a cracked case, so I want to return it.",
             "I've booked a free courier pickup; as soon as the warehouse receives the {product} we'll refund "
             "{amount}, and we cover the shipping."),
            ("Refund not received yet",
             "I requested a refund three days ago for order {order} and still haven't received anything.",
             "The refund went out this morning; banks can take 1-3 days to show it, so please keep an eye on your "
             "statement."),
            ("Return within 7 days: {product}",
             "The {product} isn't what I expected and I'm still within the 7-day return window.",
             "Your order qualifies for a no-questions-asked return. I've booked a courier pickup for tomorrow."),
            ("Refund of {amount} still missing", "My refund of {amount} from last week still hasn't shown up.",
             "Sorry, your refund was stuck in finance review. I've escalated it and it should arrive within "
             "{refund_days} business days."),
        ],
        "invoice": [
            ("Invoice request for order {order}",
             "Could you send an invoice for order {order}? It should be made out to {company}.",
             "Your invoice {invoice_no} has been issued and sent to {email}."),
            ("Wrong company name on invoice",
             "The invoice I received has the wrong company name on it and needs to be reissued.",
             "The old invoice has been cancelled; a corrected one made out to {company} will reach your inbox "
             "within one business day."),
            ("VAT invoice needed", "We need a VAT invoice for order {order}, total {amount}.",
             "The VAT invoice has been issued and is on its way by courier; it should arrive within {days} days."),
            ("Invoice for order {order}", "I forgot to request an invoice at checkout. Can you still issue one?",
             "No problem, we can still issue one. The e-invoice will be sent to {email} within one business day."),
        ],
        "delivery": [
            ("Where is my order {order}?", "I ordered on {date} (order {order}) and it still hasn't arrived.",
             "{courier} will prioritise your delivery tomorrow and the driver will call ahead."),
            ("Tracking hasn't updated for days", "The {courier} tracking for {tracking} hasn't updated in {days} days.",
             "The parcel was lost in transit, so we've sent a replacement {product}; new tracking number {tracking}."),
            ("Parcel marked delivered but not received",
             "Tracking says delivered, but I never received the {product}.",
             "The parcel was left at a pickup point; you should have a collection code by SMS."),
            ("When will order {order} ship?", "It's been {days} days and my order still hasn't shipped.",
             "Sorry, the warehouse was behind. Your order ships this afternoon and you'll get the tracking number "
             "by SMS."),
        ],
        "complaint": [
            ("Complaint: third contact and still not fixed",
             "I want to make a complaint. This is the third time I've contacted you and nothing has been fixed.",
             "We've checked and this was our mistake. As an apology we've added a {coupon_usd} voucher to your "
             "account, and your issue will be fixed today."),
            ("Complaint about {product} quality", "The {product} broke after less than a week. The quality is terrible.",
             "My lead has approved a replacement {product} and {coupon_usd} credit. Would that work for you?"),
            ("Complaint: promised call-back never came", "Your colleague promised to call me back and nobody did.",
             "I'm sorry nobody called you back as promised. My lead will call you personally this afternoon, and "
             "we've added {coupon_usd} credit."),
            ("Complaint: after-sales far too slow",
             "Your after-sales service is far too slow: my refund has taken {days} days.",
             "Your refund has been expedited and will arrive today, plus a {coupon_usd} voucher. Again, our apologies."),
        ],
        "product": [
            ("Does the {product} work with iPhone?", "Does the {product} work with an iPhone?",
             "The {product} works with both iOS and Android: install our app and follow the pairing steps."),
            ("{product} won't charge", "My {product} won't charge any more; the light just keeps blinking.",
             "Your {product} is under warranty, so the repair is free. I've created a repair order and you'll get "
             "the return address by SMS."),
            ("How do I set a schedule on the {product}?", "I can't work out how to set a schedule on the {product}.",
             "You can turn that on in the app under Settings > Device > Schedule."),
            ("{product} warranty", "How long is the warranty on the {product}?",
             "The {product} has a one-year warranty (six months on the battery); your order number is all you need "
             "to claim it."),
        ],
        "account": [
            ("Can't log in to my account", "I can't log in; it keeps saying my password is wrong.",
             "I've unlocked your account; please use \"Forgot password\" to set a new one."),
            ("Change the phone number on my account", "I have a new phone number and need to update my account.",
             "Your phone number has been updated; use the new number to log in from now on."),
            ("Not receiving the verification code", "I never get the SMS verification code when I sign up.",
             "Your carrier was filtering our messages; I've whitelisted your number, so please request a new code."),
            ("My loyalty points disappeared", "A lot of my loyalty points have suddenly gone.",
             "We've restored your points: {points} points are back in your account."),
        ],
        "presales": [
            ("Price of the {product}", "How much is the {product} at the moment?",
             "It's in stock at {amount}: order today and it ships tomorrow, with an extra year of warranty."),
            ("Bulk order enquiry",
             "Our company would like to buy {qty} units of the {product}. Do you offer volume pricing?",
             "For {qty} units or more we can offer 10% off; I've sent the quote to {email}, valid for 7 days."),
            ("{product} or {product2}?", "What's the difference between the {product} and the {product2}?",
             "The main differences are battery life and noise cancelling; if battery life matters most, I'd go for "
             "the {product}."),
            ("Any discount on the {product}?", "Are there any promotions on the {product} right now?",
             "This week the {product} is {coupon_usd} off, and you can use your loyalty points on top."),
        ],
    },
}

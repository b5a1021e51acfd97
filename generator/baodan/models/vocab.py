"""Codes records use and their Chinese words, importable without pydantic: command help
lists them (`baodan claim stage --help`), and the models build their allowed values from them.
"""

CLAIM_STAGES = {
    "reported": "已报案",
    "collecting": "收集材料",
    "submitted": "已提交",
    "under_review": "审核中",
    "paid": "已赔付",
    "partly_paid": "部分赔付",
    "refused": "拒赔",
    "dispute": "纠纷处理",
    "closed": "已结案",
}
CLAIM_TYPES = {
    "medical": "医疗",
    "outpatient": "门急诊医疗",
    "inpatient": "住院医疗",
    "critical_illness": "重大疾病",
    "long_term_care": "护理",
    "accident": "意外",
    "accident_medical": "意外医疗",
    "disability": "伤残",
    "death": "身故",
    "property": "财产",
    "liability": "责任",
    "auto": "车险",
    "auto_single": "车险单方事故",
    "auto_multi": "车险双方事故",
}

# What staff call the documents they attach (`baodan attach --kind`).
DOCUMENT_KINDS = ("电子保单", "保单扫描件", "批单", "发票", "理赔决定书")
# What a task is about (records/clients/<id>/tasks/).
TASK_KINDS = {
    "handoff": "部门交接",
    "audit": "审核异常",
    "renewal": "续保",
    "claim": "理赔",
    "care": "客户关怀",
    "incident": "应急",
}

# What the client said when contacted about renewing (kind: renewal).
INTENTIONS = {"renew": "愿意续保", "decline": "不再续保", "undecided": "尚未决定"}
CHANNELS = {
    "phone": "电话",
    "wechat": "微信",
    "visit": "上门",
    "office": "来访",
    "email": "邮件",
    "sms": "短信",
}
DEPARTMENTS = ("客户服务部", "会计部", "财务部", "理赔部", "管理层")

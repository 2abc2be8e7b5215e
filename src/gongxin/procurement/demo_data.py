"""Demo function transfer and purchase of services (seeds 001, 002, 004), so the disclosure
platform, its statistics, the catalogues and the organization profiles have something true to
show.

- Purchasing departments of Zhuhai (city and districts), Foshan and the province.
- Zhuhai's three catalogues: 50 transferable functions, the guiding catalogue of purchasable
  services (341 items, and the older batch it superseded), and the qualified organizations in
  5 published batches (244 organizations, seed 002) with their 3A–5A evaluation grades.
- Zhuhai's purchase projects from the platform's first year: exactly the publicized figures of
  seed 002 (2015: 296 projects, ¥57,840,500; 2016: 726, ¥112,000,000; 2017: 1,219,
  ¥183,300,000), growing moderately after; a few hundred for Foshan and the province from 2019.
  Each project is as far along as its dates allow on ``as_of`` (publicized, awarded, under
  contract, completed, evaluated), a few cancelled or unsuccessful; about a quarter of the
  awarded amount goes to companies, so the share to social organizations means something.
- Each submitted evaluation of an organization's project gives it the public credit record
  that ``services.evaluation_submit`` writes (kind GOVERNMENT_SERVICE), linked from the
  evaluation, so the profiles and credit files show the results.
- A few function transfers, some revoked after a failed performance evaluation.

Written as plain rows through ``core.bulk`` (ids assigned here), like the registry seed: the
history is some 15,000 projects with their contracts, milestones and evaluations, which the
services would take minutes to replay. Deterministic for a given ``seed`` and ``as_of``.

A small registry has fewer active Zhuhai organizations than the 244 of the qualified catalogue:
the catalogue then takes 60% of them (at least one per batch where possible), in the same five
batches scaled in proportion (``qualified_target``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongxin.core import uscc
from gongxin.core.bulk import columns_of, insert_rows, next_id, reset_sequence
from gongxin.core.models import Region
from gongxin.credit.models import RECORD_CATEGORY, CreditRecord, RecordKind
from gongxin.evaluation.models import Evaluation
from gongxin.procurement.categories import categories_ensure
from gongxin.procurement.models import (
    Bid,
    BidStatus,
    Catalogue,
    CatalogueKind,
    CatalogueStatus,
    Contract,
    Department,
    FunctionTransfer,
    FunctionTransferStatus,
    IndicatorSet,
    Milestone,
    PerformanceEvaluation,
    PerformanceRating,
    ProjectStatus,
    PurchasableService,
    PurchaseMethod,
    PurchaseProject,
    QualificationApplication,
    QualificationStatus,
    TransferableFunction,
    TransferMode,
)
from gongxin.procurement.services import CREDIT_KEY_PREFIX, PLATFORM_SOURCE, RATING_ZH, score_text
from gongxin.registry.models import Organization, OrgStatus

ZHUHAI, FOSHAN, GUANGDONG = "440400", "440600", "440000"

# Zhuhai's publicized projects per year (seed 002 for 2015–2017, exact), then moderate growth.
# The current year gets its share of the annual figure up to ``as_of``.
ZHUHAI_YEARS: dict[int, tuple[int, Decimal]] = {
    2015: (296, Decimal("57840500.00")),
    2016: (726, Decimal("112000000.00")),
    2017: (1219, Decimal("183300000.00")),
    2018: (1286, Decimal("198600000.00")),
    2019: (1352, Decimal("211900000.00")),
    2020: (1318, Decimal("205400000.00")),
    2021: (1415, Decimal("226800000.00")),
    2022: (1398, Decimal("224100000.00")),
    2023: (1487, Decimal("241500000.00")),
    2024: (1532, Decimal("252300000.00")),
    2025: (1580, Decimal("263900000.00")),
}
ZHUHAI_GROWTH = (1610, Decimal("271000000.00"))  # a year after the table
CITY_NAMES = {ZHUHAI: "珠海市", FOSHAN: "佛山市", GUANGDONG: "广东省"}
OTHER_YEARS = {FOSHAN: (2019, 36, Decimal("6400000")), GUANGDONG: (2020, 12, Decimal("5600000"))}

# --- Departments ----------------------------------------------------------------------------------

DEPARTMENTS = {
    "440400": ["珠海市民政局", "珠海市卫生健康局", "珠海市教育局", "珠海市人力资源和社会保障局", "珠海市司法局",
               "珠海市文化广电旅游体育局", "珠海市残疾人联合会", "珠海市财政局", "珠海市工业和信息化局", "珠海市商务局",
               "珠海市住房和城乡建设局", "珠海市市场监督管理局", "珠海市应急管理局", "珠海市科技创新局", "珠海市妇女联合会",
               "共青团珠海市委员会"],
    "440402": ["香洲区民政局", "香洲区卫生健康局"],
    "440403": ["斗门区民政局"],
    "440404": ["金湾区民政局"],
    "440600": ["佛山市民政局", "佛山市卫生健康局", "佛山市人力资源和社会保障局", "佛山市司法局", "佛山市残疾人联合会"],
    "440605": ["南海区民政局"],
    "440606": ["顺德区民政局"],
    "440000": ["广东省民政厅", "广东省财政厅", "广东省人力资源和社会保障厅", "广东省卫生健康委员会", "广东省残疾人联合会"],
}

# Which kind of department a name is (what it buys), by a word of its name.
KIND_WORDS = [("民政", "civil"), ("卫生健康", "health"), ("教育", "education"), ("人力资源", "labour"),
              ("司法", "justice"), ("文化", "culture"), ("残疾人", "disabled"), ("财政", "finance"),
              ("工业和信息化", "industry"), ("商务", "commerce"), ("住房", "housing"), ("市场监督", "market"),
              ("应急", "emergency"), ("科技", "science"), ("妇女", "women"), ("共青团", "youth")]
KIND_WEIGHT = {"civil": 24, "health": 9, "education": 8, "labour": 8, "justice": 7, "culture": 7, "disabled": 8,
               "finance": 3, "industry": 3, "commerce": 2, "housing": 3, "market": 4, "emergency": 3, "science": 3,
               "women": 4, "youth": 4}

# What each kind of department buys: (service category, title templates). {y} year, {area} the
# place served, {industry} an industry, {orgtype} a kind of organization, {unit} a budget unit.
PROFILES: dict[str, list[tuple[str, list[str]]]] = {
    "civil": [
        ("A05", ["{y}年{area}居家养老服务项目", "{y}年{area}长者饭堂运营服务项目", "{y}年{area}社区居家养老服务中心运营项目",
                 "{y}年{area}老年人能力评估服务项目", "{y}年{area}失能老人照护服务项目"]),
        ("A10", ["{y}年{area}困难群众社会救助服务项目", "{y}年{area}临时救助个案服务项目"]),
        ("B01", ["{y}年{area}社区综合服务中心运营项目", "{y}年{area}社区营造试点服务项目"]),
        ("B02", ["{y}年{area}社会组织孵化培育服务项目", "{y}年{area}社会组织党建指导服务项目", "{y}年{orgtype}能力建设培训项目"]),
        ("B03", ["{y}年{area}社会工作服务站运营项目", "{y}年{area}禁毒社会工作服务项目"]),
        ("A11", ["{y}年{area}困境儿童关爱服务项目", "{y}年{area}儿童之家运营服务项目"]),
        ("B07", ["{y}年{area}“广东扶贫济困日”慈善活动组织服务项目"]),
        ("B06", ["{y}年{area}志愿服务推广项目"]),
        ("D03", ["{y}年度{orgtype}等级评估服务项目"]),
        ("D04", ["{y}年度{orgtype}年度报告抽查审计服务项目"]),
    ],
    "justice": [
        ("B03", ["珠海市社区矫正社会工作服务项目({y}年度)", "{y}年{area}社区矫正辅助服务项目"]),
        ("B04", ["{y}年{area}人民调解服务项目", "{y}年{area}法律援助值班律师服务项目", "{y}年{area}安置帮教服务项目"]),
        ("E01", ["{y}年{area}公共法律服务中心运营项目"]),
    ],
    "health": [
        ("A04", ["{y}年{area}家庭医生签约服务宣传项目", "{y}年{area}慢性病防治健康教育项目",
                 "{y}年{area}严重精神障碍患者社区康复服务项目", "{y}年{area}无偿献血宣传招募服务项目",
                 "{y}年{area}艾滋病防治宣传干预项目"]),
        ("D03", ["{y}年{area}医疗机构服务质量第三方评价项目"]),
        ("C06", ["{y}年{area}基层卫生人员培训项目"]),
    ],
    "education": [
        ("A01", ["{y}年{area}中小学生课后服务项目", "{y}年{area}家庭教育指导服务项目", "{y}年{area}中小学生心理健康辅导服务项目"]),
        ("D03", ["{y}年{area}民办学校办学水平评估项目"]),
    ],
    "labour": [
        ("A02", ["{y}年{area}职业技能培训服务项目", "{y}年{area}就业困难人员就业援助服务项目", "{y}年{area}创业孵化服务项目"]),
        ("C05", ["{y}年珠海市职业技能鉴定组织实施项目", "{y}年{industry}职业技能竞赛组织项目"]),
        ("A03", ["{y}年{area}社会保险政策宣传服务项目"]),
    ],
    "culture": [
        ("A07", ["{y}年{area}公益文化进社区活动项目", "{y}年{area}公共图书馆阅读推广服务项目",
                 "{y}年{area}非物质文化遗产传承推广项目"]),
        ("A08", ["{y}年{area}全民健身赛事活动组织项目", "{y}年{area}社会体育指导员培训项目"]),
    ],
    "disabled": [
        ("A06", ["{y}年{area}残疾人居家托养服务项目", "{y}年{area}残疾儿童康复训练服务项目", "{y}年{area}残疾人就业辅导服务项目",
                 "{y}年{area}残疾人社区康复服务项目"]),
    ],
    "finance": [("E05", ["{y}年度{unit}财政支出项目绩效评价服务项目", "{y}年度{unit}政府购买服务项目绩效评价项目"]),
                ("D04", ["{y}年度{unit}内部控制评价服务项目"])],
    "industry": [("C01", ["{y}年珠海市{industry}行业发展调查项目"]), ("C04", ["{y}年珠海市{industry}行业统计调查项目"]),
                 ("C03", ["珠海市{industry}团体标准制定项目({y}年)"])],
    "commerce": [("E03", ["{y}年珠海{industry}产品展销会组织服务项目"]), ("C01", ["{y}年珠海市{industry}行业运行监测项目"])],
    "housing": [("C07", ["{y}年{area}物业管理行业评比表彰组织服务项目"]), ("C06", ["{y}年{area}建筑施工安全生产培训项目"]),
                ("C02", ["{y}年{area}物业服务企业信用评价服务项目"])],
    "market": [("D02", ["{y}年{area}食品安全快速检测服务项目"]), ("C02", ["{y}年{industry}行业自律公约推广项目"]),
               ("E04", ["{y}年{area}特种设备安全检查辅助服务项目"])],
    "emergency": [("A09", ["{y}年{area}安全生产宣传培训服务项目", "{y}年{area}防灾减灾科普宣传服务项目"])],
    "science": [("D01", ["{y}年{industry}科技成果转化评估服务项目", "{y}年{area}科普活动组织服务项目"]),
                ("D03", ["{y}年{industry}领域科技项目立项评审服务项目"])],
    "women": [("A11", ["{y}年{area}妇女儿童维权服务项目", "{y}年{area}家庭教育公益讲座项目"]),
              ("B03", ["{y}年{area}婚姻家庭辅导服务项目"])],
    "youth": [("A11", ["{y}年{area}青少年社会工作服务项目", "{y}年{area}青少年禁毒宣传教育项目"]),
              ("B06", ["{y}年{area}青年志愿者服务项目"])],
}

# Communities (社区) served by the neighbourhood-level projects.
COMMUNITIES = ["翠微社区", "南坑社区", "白莲社区", "康宁社区", "海霞社区", "凤凰社区", "造贝社区", "东坑社区", "新村社区",
               "夏湾社区", "湾仔社区", "银坑社区", "前山社区", "山场社区", "翠前社区", "吉大社区", "海湾社区", "景山社区",
               "九洲社区", "拱北社区", "昌盛社区", "桂花社区", "联安社区", "茂盛社区", "井岸社区", "白蕉社区", "红旗社区",
               "三灶社区", "平沙社区", "南水社区"]
AREAS = {
    "440400": ["珠海市", "珠海市", "珠海市", "香洲区", "斗门区", "金湾区", "高新区", "横琴新区", "万山区", "拱北街道",
               "吉大街道", "前山街道", "梅华街道", "翠香街道", "狮山街道", "湾仔街道", "香湾街道", "凤山街道", "南屏镇",
               "唐家湾镇", "井岸镇", "白蕉镇", "斗门镇", "乾务镇", "三灶镇", "红旗镇", "平沙镇", "南水镇", *COMMUNITIES],
    "440402": ["香洲区", "拱北街道", "吉大街道", "前山街道", "梅华街道", "翠香街道", "狮山街道", "湾仔街道", "香湾街道",
               "凤山街道", "南屏镇", *COMMUNITIES[:24]],
    "440403": ["斗门区", "井岸镇", "白蕉镇", "斗门镇", "乾务镇", "莲洲镇", "白藤街道"],
    "440404": ["金湾区", "三灶镇", "红旗镇", "平沙镇", "南水镇"],
    "440600": ["佛山市", "佛山市", "禅城区", "南海区", "顺德区", "三水区", "高明区", "祖庙街道", "桂城街道", "大良街道"],
    "440605": ["南海区", "桂城街道", "里水镇", "大沥镇", "狮山镇", "西樵镇"],
    "440606": ["顺德区", "大良街道", "容桂街道", "伦教街道", "北滘镇", "乐从镇"],
    "440000": ["广东省", "全省"],
}
ORG_TYPES = ["行业协会商会", "社会服务机构", "基金会", "学术类社会团体", "市级社会组织", "区级社会组织", "社区社会组织"]
UNITS = ["市民政局", "市卫生健康局", "市教育局", "市人力资源和社会保障局", "市司法局", "市文化广电旅游体育局", "市残联",
         "市住房和城乡建设局", "市交通运输局", "市水务局", "市城市管理和综合执法局", "市农业农村局", "市生态环境局",
         "市自然资源局", "香洲区", "斗门区", "金湾区", "高新区"]
INDUSTRIES = ["家电", "打印耗材", "游艇", "旅游", "物业管理", "软件和信息服务", "海洋渔业", "建筑", "会展", "集成电路",
              "生物医药", "跨境电商"]

# --- Catalogues ------------------------------------------------------------------------------------

# The transferable government functions catalogue (50 items): (function, department, mode).
FUNCTIONS = [
    ("行业统计调查", "珠海市工业和信息化局", "transfer"), ("行业标准制定", "珠海市市场监督管理局", "authorize"),
    ("行业评比表彰", "珠海市工业和信息化局", "transfer"), ("行业发展规划研究", "珠海市工业和信息化局", "entrust"),
    ("行业信息发布", "珠海市商务局", "transfer"), ("行业从业人员培训", "珠海市人力资源和社会保障局", "transfer"),
    ("行业自律管理", "珠海市民政局", "transfer"), ("行业准入资质初审", "珠海市住房和城乡建设局", "authorize"),
    ("行业诚信体系建设", "珠海市市场监督管理局", "transfer"), ("职业技能鉴定组织实施", "珠海市人力资源和社会保障局", "authorize"),
    ("专业技术人员继续教育组织实施", "珠海市人力资源和社会保障局", "entrust"),
    ("职称评审组织辅助", "珠海市人力资源和社会保障局", "entrust"), ("社区矫正辅助服务", "珠海市司法局", "entrust"),
    ("人民调解组织协调", "珠海市司法局", "entrust"), ("法律援助案件受理初审", "珠海市司法局", "entrust"),
    ("社会组织等级评估组织实施", "珠海市民政局", "entrust"), ("社会组织年度报告材料初审", "珠海市民政局", "entrust"),
    ("社会组织公益创投项目评审", "珠海市民政局", "entrust"), ("慈善组织认定辅助审查", "珠海市民政局", "entrust"),
    ("养老机构服务质量评估", "珠海市民政局", "entrust"), ("居家养老服务需求评估", "珠海市民政局", "entrust"),
    ("残疾人辅助器具适配评估", "珠海市残疾人联合会", "entrust"), ("残疾人职业能力评估", "珠海市残疾人联合会", "entrust"),
    ("医疗纠纷人民调解", "珠海市卫生健康局", "entrust"), ("医师定期考核组织实施", "珠海市卫生健康局", "authorize"),
    ("卫生专业技术人员培训", "珠海市卫生健康局", "transfer"), ("民办学校办学水平评估", "珠海市教育局", "entrust"),
    ("教师继续教育培训组织", "珠海市教育局", "entrust"), ("体育赛事组织承办", "珠海市文化广电旅游体育局", "transfer"),
    ("社会体育指导员培训", "珠海市文化广电旅游体育局", "transfer"),
    ("业余文艺团队扶持评审", "珠海市文化广电旅游体育局", "entrust"),
    ("旅游服务质量评价", "珠海市文化广电旅游体育局", "entrust"), ("导游人员培训", "珠海市文化广电旅游体育局", "transfer"),
    ("安全生产培训考核辅助", "珠海市应急管理局", "entrust"), ("安全生产标准化评审", "珠海市应急管理局", "entrust"),
    ("企业技术中心认定初审", "珠海市工业和信息化局", "entrust"), ("科技成果评价", "珠海市科技创新局", "entrust"),
    ("科技项目评审组织", "珠海市科技创新局", "entrust"), ("科普活动组织", "珠海市科技创新局", "transfer"),
    ("会展活动组织", "珠海市商务局", "transfer"), ("对外经贸交流活动组织", "珠海市商务局", "transfer"),
    ("国际市场开拓服务", "珠海市商务局", "transfer"), ("物业服务企业信用评价", "珠海市住房和城乡建设局", "entrust"),
    ("建筑业企业信用评价", "珠海市住房和城乡建设局", "entrust"), ("计量器具检定辅助", "珠海市市场监督管理局", "authorize"),
    ("食品安全宣传教育", "珠海市市场监督管理局", "transfer"), ("消费纠纷调解", "珠海市市场监督管理局", "entrust"),
    ("家庭教育指导", "珠海市妇女联合会", "transfer"), ("青少年社会工作服务", "共青团珠海市委员会", "transfer"),
    ("志愿服务组织管理", "共青团珠海市委员会", "transfer"),
]
LEGAL_BASIS = "《珠海市人民政府关于政府职能转移的实施意见》;《广东省人民政府办公厅关于政府向社会组织购买服务的暂行办法》"

# The guiding catalogue of purchasable services, by second-level category.
SERVICES = {
    "A01": "学前教育普惠服务 中小学生课后服务 家庭教育指导服务 中小学生心理健康辅导 特殊教育支持服务 学生课外实践活动组织 社区教育服务 老年教育服务 教育质量监测辅助",
    "A02": "职业技能培训 就业困难人员就业援助 创业培训与孵化 职业指导与职业介绍 高校毕业生就业见习组织 农村劳动力转移就业服务 劳动关系协调 人力资源市场信息收集 就业信息发布",
    "A03": "社会保险政策宣传 退休人员社会化管理服务 医疗救助经办辅助 社会保障卡服务网点运营 工伤预防宣传培训 流动人员人事档案管理辅助 住房保障对象资格核查辅助",
    "A04": "家庭医生签约服务宣传 慢性病防治健康教育 严重精神障碍患者社区康复 无偿献血宣传招募 艾滋病防治宣传干预 妇幼健康促进 健康素养促进 控烟宣传 计划生育特殊家庭关爱 医疗纠纷人民调解",
    "A05": "居家养老服务 社区日间照料服务 长者饭堂运营 养老机构运营管理 老年人能力评估 失能老人照护服务 老年人精神慰藉 养老服务人员培训 养老服务质量评估 适老化改造评估",
    "A06": "残疾人居家托养 残疾儿童康复训练 残疾人就业辅导 残疾人社区康复 残疾人辅助器具适配 残疾人文体活动组织 盲人按摩培训 残疾人职业能力评估 手语翻译服务",
    "A07": "公益文化进社区 公共图书馆阅读推广 非物质文化遗产传承推广 文化馆分馆运营 公益电影放映 群众文艺团队培训 博物馆讲解服务 文化惠民演出 农家书屋管理",
    "A08": "全民健身赛事活动组织 社会体育指导员培训 公共体育场馆运营 青少年体育培训 国民体质监测 体育社会组织培育 老年人健身活动组织 体育赛事辅助服务",
    "A09": "安全生产宣传培训 防灾减灾科普宣传 消防安全宣传 交通安全宣传教育 禁毒宣传教育 反诈骗宣传 应急救护培训 社区治安辅助服务",
    "A10": "困难群众社会救助服务 临时救助个案服务 流浪乞讨人员救助服务 低保家庭核查辅助 救助对象心理支持 困难群众就业帮扶 救灾物资管理辅助 社会救助政策宣传",
    "A11": "困境儿童关爱服务 留守儿童关爱服务 青少年社会工作服务 青少年禁毒宣传教育 儿童之家运营 未成年人保护服务 青少年心理健康服务 妇女儿童维权服务 孤残儿童养育辅助",
    "B01": "社区综合服务中心运营 社区营造试点 社区议事协商辅助 社区居民自治能力建设 新市民融入服务 社区文化活动组织 社区网格化服务辅助 物业小区治理辅助",
    "B02": "社会组织孵化培育 社会组织党建指导 社会组织能力建设培训 公益创投项目管理 社会组织信息化服务 社会组织等级评估辅助 社区社会组织培育 社会组织法律咨询",
    "B03": "社会工作服务站运营 禁毒社会工作服务 社区矫正社会工作服务 医务社会工作服务 学校社会工作服务 婚姻家庭辅导服务 企业社会工作服务 社工人才培训督导 司法社会工作服务",
    "B04": "人民调解服务 法律援助值班律师服务 公共法律服务中心运营 法治宣传教育 矛盾纠纷排查化解 安置帮教服务 律师进社区服务 劳动争议调解服务",
    "B05": "流动人口服务管理 积分入户服务辅助 流动人口计生服务 异地务工人员关爱 外来务工人员子女融入服务 流动人口信息采集辅助",
    "B06": "志愿服务推广 青年志愿者服务 志愿者招募培训 志愿服务记录管理 大型活动志愿服务组织 志愿服务站运营",
    "B07": "慈善募捐活动组织 慈善项目评估 慈善超市运营 慈善信息公开平台运营 公益慈善宣传 慈善组织能力建设",
    "C01": "行业发展调查 行业运行监测 行业发展规划研究 产业发展报告编制 行业信息发布 行业企业名录整理",
    "C02": "行业自律公约推广 行业诚信体系建设 物业服务企业信用评价 行业纠纷调解 行业维权服务 建筑业企业信用评价",
    "C03": "团体标准制定 地方标准起草 行业技术规范编制 标准宣贯培训 标准实施评估",
    "C04": "行业统计调查 行业统计数据分析 规模以上企业统计辅助 行业统计报表填报培训",
    "C05": "职业技能鉴定组织实施 专业技术人员水平评价 职业资格考试组织辅助 职称评审组织辅助 技能竞赛组织",
    "C06": "基层卫生人员培训 建筑施工安全生产培训 行业从业人员继续教育 导游人员培训 企业经营管理人员培训",
    "C07": "物业管理行业评比表彰 行业优秀企业评选 行业先进个人评选 品牌评价 质量奖评审辅助",
    "D01": "科技成果转化评估 科普活动组织 农业技术推广 新技术应用示范 科研项目管理辅助 知识产权运营服务",
    "D02": "食品安全快速检测 环境质量监测辅助 产品质量监督抽查检验 计量器具检定辅助 水质检测 室内空气检测",
    "D03": "社会组织等级评估 医疗机构服务质量第三方评价 民办学校办学水平评估 科技项目立项评审 政府投资项目评审 社会稳定风险评估 养老机构等级评定",
    "D04": "社会组织年度报告抽查审计 行政事业单位内部控制评价 专项资金审计 财务收支审计 资产清查 离任审计",
    "D05": "政策咨询 管理咨询 法律咨询 心理咨询服务 规划咨询 投资咨询",
    "D06": "信息系统运行维护 数据采集整理 政务网站内容维护 网络安全评估 信息化规划咨询",
    "E01": "政府法律顾问 行政复议应诉辅助 合同审查 规范性文件合法性审查",
    "E02": "政策研究课题 社会调查 决策咨询研究 发展战略研究 政策实施效果评估",
    "E03": "会展活动组织 产品展销会组织 对外经贸交流活动组织 国际市场开拓服务 招商推介活动组织 大型会议组织",
    "E04": "特种设备安全检查辅助 执法辅助服务 市场巡查辅助 安全隐患排查辅助",
    "E05": "财政支出项目绩效评价 政府购买服务项目绩效评价 部门整体支出绩效评价 专项资金绩效评价",
    "E06": "政策宣传 政务新媒体运营 公益广告制作 信息公开辅助 宣传资料编印",
    "E07": "机关物业管理 机关食堂运营 公务用车服务 安保服务 会议服务",
    "F01": "其他适宜由社会力量承担的服务",
}
# Services every department may buy: the catalogue lists them once per department, which
# brings it to the 341 items of seed 002.
SHARED_SERVICES = [("E06", "政策宣传"), ("E02", "政策研究课题"), ("D05", "政策咨询"), ("E05", "专项资金绩效评价"),
                   ("C06", "行业从业人员继续教育"), ("D06", "数据采集整理")]
CATEGORY_DEPARTMENT = {"A01": "教育", "A02": "人力资源和社会保障", "A03": "人力资源和社会保障", "A04": "卫生健康",
                       "A05": "民政", "A06": "残疾人联合会", "A07": "文化广电旅游体育", "A08": "文化广电旅游体育",
                       "A09": "应急管理", "A10": "民政", "A11": "民政", "B01": "民政", "B02": "民政", "B03": "民政",
                       "B04": "司法", "B05": "公安", "B06": "民政", "B07": "民政", "C01": "工业和信息化",
                       "C02": "市场监督管理", "C03": "市场监督管理", "C04": "统计", "C05": "人力资源和社会保障",
                       "C06": "人力资源和社会保障", "C07": "工业和信息化", "D01": "科技创新", "D02": "市场监督管理",
                       "D03": "民政", "D04": "财政", "D05": "发展和改革", "D06": "政务服务数据管理", "E01": "司法",
                       "E02": "发展和改革", "E03": "商务", "E04": "市场监督管理", "E05": "财政", "E06": "政务服务数据管理",
                       "E07": "机关事务管理", "F01": ""}
SERVICES_TOTAL = 341
OLD_SERVICES_PER_CATEGORY = 5  # the 2014 batch, superseded in 2016

# Qualified organizations: five published batches (seed 002: 5 batches, 244 organizations).
QUALIFIED_BATCHES = [(dt.date(2014, 11, 18), 62), (dt.date(2015, 5, 20), 51), (dt.date(2015, 12, 10), 48),
                     (dt.date(2016, 9, 8), 45), (dt.date(2017, 6, 15), 38)]
QUALIFIED_SHARE_WHEN_SMALL = 0.6
CN_NUMBERS = "一二三四五六七八九十"

COMPANY_WORDS = ["华信", "正德", "博雅", "衡信", "启明", "中联", "粤海", "诚达", "明德", "信诚", "海纳", "仁和", "立德", "安达",
                 "众成", "睿智", "恒通", "卓越", "汇智", "德正"]
COMPANY_KINDS = ["管理咨询", "企业管理咨询", "教育科技", "信息技术", "物业服务", "健康管理", "文化传播", "人力资源服务",
                 "检测技术", "工程咨询"]

METHODS = [(PurchaseMethod.COMPETITIVE_CONSULTATION, 40), (PurchaseMethod.PROJECT_CONTRACTING, 18),
           (PurchaseMethod.PROJECT_APPLICATION, 17), (PurchaseMethod.ENTRUSTED_MANAGEMENT, 10),
           (PurchaseMethod.PUBLIC_TENDER, 15)]
PUBLIC_TENDER_FROM = Decimal("1000000")  # services above this go to public tender (政府采购限额标准)
AWARD_REASONS = {
    PurchaseMethod.PUBLIC_TENDER: "经公开招标,评标委员会评审,该供应商综合得分第一,服务方案完整、项目团队经验丰富。",
    PurchaseMethod.COMPETITIVE_CONSULTATION: "经竞争性磋商,该供应商报价合理、服务方案针对性强,综合评分排名第一。",
    PurchaseMethod.PROJECT_CONTRACTING: "项目发包评审中,该机构具备相应资质和同类项目经验,评审小组一致推荐。",
    PurchaseMethod.PROJECT_APPLICATION: "经项目申报评审,该机构申报方案可行、预期成效明确,评审得分最高。",
    PurchaseMethod.ENTRUSTED_MANAGEMENT: "该机构具备运营管理同类设施的经验和专业团队,经评审委托其管理。",
}
CANCEL_REASONS = ["因预算调整,项目取消采购。", "采购需求发生重大变化,项目终止。", "因政策调整,项目暂停实施。"]
UNSUCCESSFUL_REASONS = ["截至申请截止日,符合条件的申请不足三家,采购失败。", "所有申请报价均超出项目预算,采购失败。"]
INDICATORS = [{"code": "management", "name": "项目管理", "weight": 20, "description": "制度建设、人员配备、档案管理"},
              {"code": "output", "name": "服务产出", "weight": 30, "description": "服务数量、质量、时效"},
              {"code": "outcome", "name": "服务效果", "weight": 30, "description": "社会效益、目标达成度"},
              {"code": "satisfaction", "name": "满意度", "weight": 20, "description": "服务对象及购买主体满意度"}]
COMMENTS = {
    PerformanceRating.EXCELLENT: "服务目标全部完成,服务对象满意度高,档案资料完整规范。",
    PerformanceRating.GOOD: "服务目标基本完成,服务成效较好,个别指标有待提升。",
    PerformanceRating.PASS: "完成主要服务内容,但服务记录不够完整,需加强过程管理。",
    PerformanceRating.FAIL: "服务数量未达合同约定,服务对象满意度低,限期整改并扣减尾款。",
}


def _q(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _hundreds(value: float) -> Decimal:
    """Budgets are round to 100 yuan, as departments write them."""
    return Decimal(max(1, round(value / 100)) * 100).quantize(Decimal("0.01"))


def split_total(rng: random.Random, count: int, total: Decimal, *, median: float = 110000.0) -> list[Decimal]:
    """``count`` budgets (multiples of 100 yuan) adding up to exactly ``total``: drawn from a
    log-normal, scaled, rounded, the rounding difference put on the largest."""
    if count <= 0:
        return []
    raw = [rng.lognormvariate(0, 0.75) * median for _ in range(count)]
    scale = float(total) / sum(raw)
    budgets = [_hundreds(x * scale) for x in raw]
    biggest = max(range(count), key=budgets.__getitem__)
    budgets[biggest] += total - sum(budgets)
    assert budgets[biggest] > 0 and sum(budgets) == total
    return budgets


def qualified_target(active_orgs: int) -> list[int]:
    """Sizes of the five qualified batches: 62/51/48/45/38 (244) when the registry has enough
    active Zhuhai organizations, else 60% of them spread in the same proportions."""
    full = [n for _, n in QUALIFIED_BATCHES]
    total = sum(full)
    wanted = total if active_orgs * QUALIFIED_SHARE_WHEN_SMALL >= total else int(active_orgs * QUALIFIED_SHARE_WHEN_SMALL)
    if wanted >= total:
        return full
    sizes = [wanted * n // total for n in full]
    for i in range(wanted - sum(sizes)):  # the remainder to the first batches
        sizes[i % len(sizes)] += 1
    return sizes


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _kind_of(name: str) -> str:
    return next((kind for word, kind in KIND_WORDS if word in name), "civil")


class _Ids:
    """Explicit ids per model, continuing after the rows already there."""

    def __init__(self, *models):
        self._next = {m: next_id(m) for m in models}

    def take(self, model) -> int:
        value = self._next[model]
        self._next[model] += 1
        return value


def _insert(model, rows: list[dict]) -> int:
    if not rows:
        return 0
    cols = columns_of(model)
    n = insert_rows(model, cols, ([r[c] for c in cols] for r in rows))
    reset_sequence(model)
    return n


def seed_procurement_demo(*, as_of: dt.date, seed: int, releases: bool = True) -> dict:
    """Everything above, as of ``as_of``; does nothing (returns {}) when projects exist already
    or the registry has no active Zhuhai organization. Returns counts for the seed command.
    ``releases=False`` skips the OCDS backfill (the tests of the figures do not need it)."""
    if PurchaseProject.objects.exists():
        return {}
    rng = random.Random(f"procurement-{seed}")
    categories_ensure()
    with transaction.atomic():
        departments = _departments()
        catalogues = _catalogues(as_of)
        zhuhai_orgs = list(Organization.objects.filter(status=OrgStatus.ACTIVE, region_prefix__startswith="4404",
                                                       credit_status="").order_by("established_on", "id")
                           .values_list("id", "name", "uscc"))
        if not zhuhai_orgs:
            return {}
        counts = {"departments": sum(len(d) for d in departments.values())}
        qualified = _qualified(rng, zhuhai_orgs, catalogues, as_of)
        counts["qualified"] = len(qualified)
        counts["grades"] = _grades(rng, qualified, as_of)
        counts.update(_projects(rng, as_of, departments, catalogues, qualified))
        counts["function_transfers"] = _transfers(rng, as_of, departments, catalogues, qualified)
    from gongxin.procurement import ocds

    if not releases:
        counts["ocds_releases"] = "skipped"
    elif hasattr(ocds, "releases_backfill"):
        counts["ocds_releases"] = ocds.releases_backfill()
    else:
        counts["ocds_releases"] = "skipped (ocds.releases_backfill not available)"
    return counts


def _departments() -> dict[str, list[Department]]:
    """Department rows per region (get or create: the demo purchaser's 珠海市民政局 may exist)."""
    out: dict[str, list[Department]] = {}
    serial = 0
    for region, names in DEPARTMENTS.items():
        out[region] = []
        for name in names:
            serial += 1
            code = uscc.generate(org_type="1", region_code=region, serial=serial, department="1")
            dept, _ = Department.objects.get_or_create(
                region_id=region, name=name, defaults={"region_prefix": Region.prefix_of(region), "uscc": code})
            if not dept.uscc:
                dept.uscc = code
                dept.save(update_fields=["uscc"])
            out[region].append(dept)
    return out


def _catalogues(as_of: dt.date) -> dict:
    """Zhuhai's functions catalogue, the two services batches and the five qualified batches."""
    def catalogue(kind, batch, year, title, status, published_on):
        return Catalogue.objects.create(kind=kind, region_id=ZHUHAI, region_prefix="4404", year=year, batch=batch,
                                        title=title, status=status, published_on=published_on)

    functions_cat = catalogue(CatalogueKind.FUNCTIONS, 1, 2015, "珠海市政府职能转移目录", CatalogueStatus.PUBLISHED,
                              dt.date(2014, 12, 26))
    TransferableFunction.objects.bulk_create([
        TransferableFunction(catalogue=functions_cat, code=f"ZN{n:03d}", name=name, department_name=dept, mode=mode,
                             legal_basis=LEGAL_BASIS, description=f"由{dept}{TransferMode(mode).label}具备资质的社会组织承担{name}。")
        for n, (name, dept, mode) in enumerate(FUNCTIONS, start=1)])
    old = catalogue(CatalogueKind.SERVICES, 1, 2014, "珠海市政府向社会组织购买服务目录(2014年版)",
                    CatalogueStatus.SUPERSEDED, dt.date(2014, 10, 15))
    new = catalogue(CatalogueKind.SERVICES, 2, 2016, "珠海市政府向社会力量购买服务指导目录(2016年版)",
                    CatalogueStatus.PUBLISHED, dt.date(2016, 2, 26))
    old_items, new_items = [], []
    for category, names in SERVICES.items():
        dept = CATEGORY_DEPARTMENT.get(category, "")
        dept_name = f"珠海市{dept}局" if dept and not dept.endswith("会") else (f"珠海市{dept}" if dept else "")
        for n, name in enumerate(names.split(), start=1):
            new_items.append(PurchasableService(catalogue=new, code=f"{category}{n:03d}", name=name, category_id=category,
                                                department_name=dept_name))
            if n <= OLD_SERVICES_PER_CATEGORY:
                old_items.append(PurchasableService(catalogue=old, code=f"{category}{n:03d}", name=name,
                                                    category_id=category, department_name=dept_name))
    used = {category: len(names.split()) for category, names in SERVICES.items()}
    shared = iter([(c, n, d) for c, n in SHARED_SERVICES for d in DEPARTMENTS[ZHUHAI]])
    while len(new_items) < SERVICES_TOTAL:
        category, name, dept = next(shared)
        used[category] += 1
        new_items.append(PurchasableService(catalogue=new, code=f"{category}{used[category]:03d}", name=name,
                                            category_id=category, department_name=dept))
    PurchasableService.objects.bulk_create(old_items + new_items[:SERVICES_TOTAL])
    qualified = [catalogue(CatalogueKind.QUALIFIED, n, day.year,
                           f"珠海市具备承接政府职能转移和购买服务资质的社会组织目录(第{CN_NUMBERS[n - 1]}批)",
                           CatalogueStatus.PUBLISHED, day)
                 for n, (day, _size) in enumerate(QUALIFIED_BATCHES, start=1)]
    services = {}
    for cat in (old, new):
        by_category: dict[str, list[int]] = {}
        for sid, category in PurchasableService.objects.filter(catalogue=cat).values_list("id", "category_id"):
            by_category.setdefault(category, []).append(sid)
        services[cat.pk] = by_category
    indicator_sets = {region: IndicatorSet.objects.create(name=f"{name}政府购买服务项目绩效评价指标", region_id=region,
                                                          indicators=INDICATORS)
                      for region, name in ((ZHUHAI, "珠海市"), (FOSHAN, "佛山市"), (GUANGDONG, "广东省"))}
    return {"functions": functions_cat, "services_old": old, "services_new": new, "qualified": qualified,
            "services": services, "indicator_sets": indicator_sets,
            "function_rows": list(TransferableFunction.objects.filter(catalogue=functions_cat).order_by("code"))}


def _checks(*codes: str) -> list[dict]:
    reasons = {
        "active": "The registration is in force.",
        "credit": "Not on the abnormal-activity list or the dishonesty list.",
        "grade": "Evaluation grade 3A or above in force.",
        "annual_reports": "Annual work reports for the last two years submitted on time.",
        "governance": "The self-governance check (five selves, four withouts) is met.",
        "qualified": "In the qualified organizations catalogue.",
    }
    return [{"code": c, "passed": True, "reason": reasons[c]} for c in codes]


def _qualified(rng, zhuhai_orgs, catalogues, as_of) -> list[tuple[int, str, str, dt.date]]:
    """Pick the qualified organizations (older ones first: a catalogue asks for two years of
    reports and a 3A grade) and write their published applications. Returns (id, name, uscc,
    batch date) in batch order."""
    from gongxin.accounts.models import User

    demo_org = User.objects.filter(username="org_zhuhai").values_list("organization_id", flat=True).first()
    # The demo organization user's association is left out: it can go through qualification itself.
    candidates = [o for o in zhuhai_orgs if o[0] != demo_org]
    sizes = qualified_target(len(candidates))
    pool = candidates[: max(sum(sizes) * 3 // 2, sum(sizes))]
    picked = sorted(rng.sample(pool, sum(sizes)), key=lambda o: pool.index(o))
    rows, out, ids = [], [], _Ids(QualificationApplication)
    start = 0
    areas = list(SERVICES)
    for batch, size in zip(catalogues["qualified"], sizes, strict=True):
        for org_id, name, code in picked[start:start + size]:
            submitted = batch.published_on - dt.timedelta(days=rng.randint(30, 75))
            rows.append({
                "id": ids.take(QualificationApplication), "organization_id": org_id, "region_id": ZHUHAI,
                "region_prefix": "4404", "service_areas": "、".join(SERVICES[c].split()[0] for c in rng.sample(areas, 3)),
                "statement": "本机构承诺所提交材料真实有效,具备承接政府职能转移和购买服务的能力。",
                "status": QualificationStatus.PUBLISHED,
                "checks": _checks("active", "credit", "grade", "annual_reports", "governance"), "eligible": True,
                "submitted_by_id": None, "submitted_at": _aware(submitted), "decided_by_id": None,
                "decided_at": _aware(batch.published_on - dt.timedelta(days=rng.randint(5, 15)), 15),
                "decision_reason": "", "catalogue_id": batch.pk, "withdrawn_on": None, "withdrawn_reason": "", "version": 1,
            })
            out.append((org_id, name, code, batch.published_on))
        start += size
    _insert(QualificationApplication, rows)
    return out


def _grades(rng, qualified, as_of) -> int:
    """Evaluation grades: 3A–5A for the qualified organizations (one before their batch, one in
    force now), 1A–2A for some others."""
    have = set(Evaluation.objects.values_list("organization_id", flat=True))
    rows, ids, now = [], _Ids(Evaluation), timezone.now()

    def add(org_id, grade, decided):
        rows.append({"id": ids.take(Evaluation), "organization_id": org_id, "grade": grade, "decided_on": decided,
                     "valid_until": _plus_years(decided, 5) - dt.timedelta(days=1),
                     "deciding_body": "珠海市民政局",
                     "certificate_number": f"珠民评字〔{decided.year}〕{len(rows) + 1:03d}号", "cancelled_on": None,
                     "cancelled_reason": "", "recorded_by_id": None, "recorded_at": now})

    qualified_ids = set()
    for org_id, _name, _code, batch_day in qualified:
        qualified_ids.add(org_id)
        if org_id in have:
            continue
        grade = rng.choices([3, 4, 5], weights=[50, 35, 15])[0]
        add(org_id, grade, batch_day - dt.timedelta(days=rng.randint(60, 300)))
        add(org_id, min(5, grade + (rng.random() < 0.2)), as_of - dt.timedelta(days=rng.randint(60, 1500)))
    others = list(Organization.objects.filter(status=OrgStatus.ACTIVE, region_prefix__startswith="44")
                  .exclude(pk__in=qualified_ids | have).order_by("id").values_list("id", flat=True)[:20000])
    for org_id in rng.sample(others, len(others) // 20):
        add(org_id, rng.choice([1, 2, 2, 3]), as_of - dt.timedelta(days=rng.randint(30, 1700)))
    return _insert(Evaluation, rows)


def _companies(rng, region: str, city: str, count: int) -> list[tuple[str, str]]:
    names = sorted({f"{city}{w}{k}有限公司" for w in COMPANY_WORDS for k in COMPANY_KINDS})
    picked = rng.sample(names, min(count, len(names)))
    return [(name, uscc.generate(org_type="1", region_code=region, serial=900000 + n, department="9"))
            for n, name in enumerate(picked)]


def _year_plan(as_of: dt.date) -> dict[str, dict[int, tuple[int, Decimal]]]:
    """(projects, total budget) per region and year, the current year prorated to ``as_of``."""
    fraction = (as_of - dt.date(as_of.year, 1, 1)).days / 365
    plan: dict[str, dict[int, tuple[int, Decimal]]] = {ZHUHAI: {}, FOSHAN: {}, GUANGDONG: {}}
    for year in range(2015, as_of.year + 1):
        count, budget = ZHUHAI_YEARS.get(year, ZHUHAI_GROWTH)
        if year == as_of.year:
            count, budget = max(1, round(count * fraction)), _hundreds(float(budget) * fraction)
        plan[ZHUHAI][year] = (count, budget)
        for region, (first, base, base_budget) in OTHER_YEARS.items():
            if year >= first:
                grow = 1 + 0.15 * (year - first)
                c, b = round(base * grow), _hundreds(float(base_budget) * grow)
                if year == as_of.year:
                    c, b = max(1, round(c * fraction)), _hundreds(float(b) * fraction)
                plan[region][year] = (c, b)
    return plan


def _projects(rng, as_of, departments, catalogues, qualified) -> dict:
    ids = _Ids(PurchaseProject, Contract, Milestone, PerformanceEvaluation, Bid)
    rows = {m: [] for m in (PurchaseProject, Contract, Milestone, PerformanceEvaluation, Bid)}
    now = timezone.now()
    prefix = settings.OCDS_PREFIX
    companies = {ZHUHAI: _companies(rng, "440400", "珠海市", 40), FOSHAN: _companies(rng, "440600", "佛山市", 15),
                 GUANGDONG: _companies(rng, "440100", "广东", 10)}
    # Winners outside Zhuhai: active organizations of the region (no catalogue required there).
    def region_orgs(prefix_, n):
        return list(Organization.objects.filter(status=OrgStatus.ACTIVE, credit_status="",
                                                region_prefix__startswith=prefix_).order_by("id")
                    .values_list("id", "name", "uscc")[:n])
    pools = {FOSHAN: [(*o, dt.date(2000, 1, 1)) for o in region_orgs("4406", 60)],
             GUANGDONG: [(*o, dt.date(2000, 1, 1)) for o in region_orgs("44", 80)]}
    weights_by_region = {}
    for region_key, codes in ((ZHUHAI, ("440400", "440402", "440403", "440404")), (FOSHAN, ("440600", "440605", "440606")),
                              (GUANGDONG, ("440000",))):
        depts = [d for c in codes for d in departments[c]]
        weights = [KIND_WEIGHT[_kind_of(d.name)] * (0.5 if d.region_id not in (ZHUHAI, FOSHAN, GUANGDONG) else 1)
                   for d in depts]
        weights_by_region[region_key] = (depts, weights)
    evaluator_set = catalogues["indicator_sets"]
    services = catalogues["services"]
    old_cat, new_cat = catalogues["services_old"], catalogues["services_new"]
    functions_by_name = {f.name: f.pk for f in catalogues["function_rows"]}
    counts = {"projects": 0, "bids": 0}
    plan = _year_plan(as_of)
    bid_years = {as_of.year, as_of.year - 1}
    for region_key in (ZHUHAI, FOSHAN, GUANGDONG):
        depts, dept_weights = weights_by_region[region_key]
        for year, (count, total) in plan[region_key].items():
            budgets = split_total(rng, count, total)
            titles: dict[str, int] = {}
            last_day = min(dt.date(year, 12, 20), as_of - dt.timedelta(days=1))
            span = max(1, (last_day - dt.date(year, 1, 5)).days)
            for budget in budgets:
                dept = rng.choices(depts, weights=dept_weights)[0]
                # A title already used this year is drawn again (a few times) before it becomes
                # a second lot (第2包) of the same programme.
                for _attempt in range(12):
                    category, templates = rng.choice(PROFILES[_kind_of(dept.name)])
                    area = rng.choice(AREAS[dept.region_id])
                    base = rng.choice(templates).format(y=year, area=area, industry=rng.choice(INDUSTRIES),
                                                        orgtype=rng.choice(ORG_TYPES), unit=rng.choice(UNITS))
                    if region_key != ZHUHAI:  # the templates name Zhuhai's own programmes
                        city = CITY_NAMES[region_key]
                        base = base.replace("珠海市", city).replace("珠海", city[:2])
                    if base not in titles:
                        break
                n = titles.get(base, 0)
                titles[base] = n + 1
                title = base if n == 0 else f"{base}(第{n + 1}包)"
                publicized = dt.date(year, 1, 5) + dt.timedelta(days=rng.randrange(span))
                cat = new_cat if publicized >= new_cat.published_on else old_cat
                service_ids = services[cat.pk].get(category) if region_key == ZHUHAI else None
                method = (PurchaseMethod.PUBLIC_TENDER if budget >= PUBLIC_TENDER_FROM
                          else rng.choices([m for m, _ in METHODS[:-1]], weights=[w for _, w in METHODS[:-1]])[0])
                starts = publicized + dt.timedelta(days=rng.randint(15, 25))
                deadline = starts + dt.timedelta(days=rng.randint(7, 20))
                award_day = deadline + dt.timedelta(days=rng.randint(2, 10))
                signed = award_day + dt.timedelta(days=rng.randint(3, 10))
                svc_start = signed + dt.timedelta(days=rng.randint(1, 15))
                svc_end = svc_start + dt.timedelta(days=rng.choice([180, 270, 364, 364, 364]))
                evaluated = svc_end + dt.timedelta(days=rng.randint(15, 60))
                fate = rng.random()
                pid = ids.take(PurchaseProject)
                project = {
                    "id": pid, "ocid": f"{prefix}-{pid}", "department_id": dept.pk, "region_id": dept.region_id,
                    "region_prefix": dept.region_prefix, "service_id": rng.choice(service_ids) if service_ids else None,
                    "category_id": category, "function_id": None, "title": title,
                    "description": f"{dept.name}向社会力量购买{title.removesuffix('项目')},服务期{(svc_end - svc_start).days // 30}个月,"
                                   f"服务对象为{area}有需要的群众,具体服务内容和指标见采购文件。",
                    "budget": budget, "method": method, "require_qualified": region_key == ZHUHAI,
                    "min_grade": 3 if method == PurchaseMethod.PUBLIC_TENDER else None,
                    "requirements": "具有3名以上持证社会工作者。" if category.startswith("B03") else "",
                    "year": year, "publicized_on": publicized, "procurement_starts_on": starts, "bid_deadline": deadline,
                    "service_starts_on": svc_start, "service_ends_on": svc_end, "status": ProjectStatus.PUBLICIZED,
                    "awarded_organization_id": None, "awarded_supplier_name": "", "awarded_supplier_id": "",
                    "awarded_amount": None, "awarded_on": None, "award_reason": "", "completed_on": None,
                    "cancelled_reason": "", "created_by_id": None, "created_at": _aware(publicized, 9),
                    "updated_at": now, "version": 1,
                }
                if category in ("C04", "C03", "C07", "C05"):
                    fname = {"C04": "行业统计调查", "C03": "行业标准制定", "C07": "行业评比表彰", "C05": "职业技能鉴定组织实施"}
                    project["function_id"] = functions_by_name.get(fname[category]) if region_key == ZHUHAI else None
                cancelled_on = publicized + dt.timedelta(days=rng.randint(3, 20))
                winner = None
                if fate < 0.025:
                    if as_of >= cancelled_on:
                        project.update(status=ProjectStatus.CANCELLED, cancelled_reason=rng.choice(CANCEL_REASONS))
                elif fate < 0.05:
                    if as_of > deadline + dt.timedelta(days=2):
                        project.update(status=ProjectStatus.UNSUCCESSFUL, cancelled_reason=rng.choice(UNSUCCESSFUL_REASONS))
                elif as_of >= award_day:
                    winner = _award(rng, project, region_key, award_day, qualified, pools, companies, year)
                    if as_of >= evaluated:
                        project["status"] = ProjectStatus.EVALUATED
                    elif as_of >= svc_end:
                        project["status"] = ProjectStatus.COMPLETED
                    elif as_of >= signed:
                        project["status"] = ProjectStatus.CONTRACTED
                    else:
                        project["status"] = ProjectStatus.AWARDED
                    if project["status"] in (ProjectStatus.COMPLETED, ProjectStatus.EVALUATED):
                        project["completed_on"] = svc_end
                    if project["status"] != ProjectStatus.AWARDED:
                        _contract(rng, rows, ids, project, signed, as_of, evaluator_set[region_key], evaluated)
                rows[PurchaseProject].append(project)
                if year in bid_years and as_of >= publicized + dt.timedelta(days=3):
                    counts["bids"] += _bids(rng, rows, ids, project, winner, region_key, qualified, pools, as_of, now)
    names = {d.pk: d.name for ds in departments.values() for d in ds}
    counts["credit_records"] = _insert(CreditRecord, _credit_records(rows, names))
    for model in (PurchaseProject, Contract, Milestone, PerformanceEvaluation, Bid):
        _insert(model, rows[model])
    counts["projects"] = len(rows[PurchaseProject])
    counts["contracts"] = len(rows[Contract])
    counts["evaluations"] = len(rows[PerformanceEvaluation])
    counts.update(_drafts(rng, as_of, departments, catalogues, now))
    return counts


def _award(rng, project, region_key, award_day, qualified, pools, companies, year):
    """Fill the award; returns the winning organization (id, name, uscc, …) or None for a company."""
    # Companies win more of the technical and auxiliary services, less of the social ones;
    # their share falls a little over the years as organizations grow.
    company_odds = (0.5 if project["category_id"][0] in "DE" else 0.22) - 0.005 * (year - 2015)
    candidates = ([q for q in qualified if q[3] <= award_day] if region_key == ZHUHAI else pools[region_key])
    winner = None
    if candidates and rng.random() >= company_odds:
        # A skew towards the long-established organizations, which win most.
        winner = candidates[int(len(candidates) * rng.random() ** 1.6)]
        name, code = winner[1], winner[2]
        project["awarded_organization_id"] = winner[0]
    else:
        name, code = rng.choice(companies[region_key])
    amount = min(project["budget"], _hundreds(float(project["budget"]) * rng.uniform(0.86, 1.0)))
    project.update(awarded_supplier_name=name, awarded_supplier_id=code, awarded_amount=amount, awarded_on=award_day,
                   award_reason=AWARD_REASONS[project["method"]])
    return winner


def _contract(rng, rows, ids, project, signed, as_of, indicator_set, evaluated) -> None:
    amount = project["awarded_amount"]
    rows[Contract].append({"id": ids.take(Contract), "project_id": project["id"],
                           "number": f"GMFW-{project['year']}-{project['id']:06d}", "signed_on": signed, "amount": amount,
                           "starts_on": project["service_starts_on"], "ends_on": project["service_ends_on"],
                           "created_by_id": None})
    start, end = project["service_starts_on"], project["service_ends_on"]
    first, second = _q(amount * Decimal("0.3")), _q(amount * Decimal("0.4"))
    fails = project["status"] == ProjectStatus.EVALUATED and rng.random() < 0.025
    for title, due, payment in (("签订合同,启动服务", start, first), ("中期评估", start + (end - start) / 2, second),
                                ("项目结项验收", end, amount - first - second)):
        done = as_of >= due + dt.timedelta(days=5)
        missed = fails and title == "项目结项验收"
        rows[Milestone].append({"id": ids.take(Milestone), "project_id": project["id"], "title": title, "due_on": due,
                                "payment": payment,
                                "status": (Milestone.Status.MISSED if missed else Milestone.Status.MET if done
                                           else Milestone.Status.PENDING),
                                "done_on": due + dt.timedelta(days=rng.randint(0, 5)) if done and not missed else None})
    if project["status"] != ProjectStatus.EVALUATED:
        return
    if fails:
        total = Decimal(rng.randint(4500, 5900)) / 100
    else:
        total = Decimal(rng.choices([rng.randint(9000, 9800), rng.randint(8000, 8990), rng.randint(6500, 7990)],
                                    weights=[35, 50, 15])[0]) / 100
    rating = (PerformanceRating.EXCELLENT if total >= 90 else PerformanceRating.GOOD if total >= 80
              else PerformanceRating.PASS if total >= 60 else PerformanceRating.FAIL)
    # Scores per indicator in proportion to the weights, the rounding on the last one.
    scores, left = {}, total
    for ind in INDICATORS[:-1]:
        s = _q(total * ind["weight"] / 100)
        scores[ind["code"]], left = float(s), left - s
    scores[INDICATORS[-1]["code"]] = float(left)
    rows[PerformanceEvaluation].append({
        "id": ids.take(PerformanceEvaluation), "project_id": project["id"], "indicator_set_id": indicator_set.pk,
        "evaluator_id": None, "status": PerformanceEvaluation.Status.SUBMITTED, "scores": scores, "total": total,
        "rating": rating, "comments": COMMENTS[rating], "evaluated_on": evaluated, "credit_record_id": None,
        "version": 1})


def _credit_records(rows, department_names: dict[int, str]) -> list[dict]:
    """The credit record each submitted evaluation of an organization's project gives it, as
    ``services.evaluation_submit`` writes it (a company, not in the registry, gets none), and
    the evaluation's link to it. Draws nothing from the random generator: the rest of the demo
    stays as it was."""
    projects = {p["id"]: p for p in rows[PurchaseProject]}
    ids, out = _Ids(CreditRecord), []
    for evaluation in rows[PerformanceEvaluation]:
        project = projects[evaluation["project_id"]]
        if evaluation["status"] != PerformanceEvaluation.Status.SUBMITTED or not project["awarded_organization_id"]:
            continue
        department, total = department_names[project["department_id"]], evaluation["total"]
        title = (f"承接政府购买服务《{project['title']}》绩效评价:{RATING_ZH[evaluation['rating']]}"
                 f"({score_text(total)}分)")
        record_id = ids.take(CreditRecord)
        out.append({
            "id": record_id, "organization_id": project["awarded_organization_id"],
            "category": RECORD_CATEGORY[RecordKind.GOVERNMENT_SERVICE], "kind": RecordKind.GOVERNMENT_SERVICE,
            "title": title[:200],
            "content": f"{department}购买服务项目(合同金额{project['awarded_amount']:,.2f}元)绩效评价总分"
                       f"{score_text(total)}分。{evaluation['comments']}",
            "source": PLATFORM_SOURCE, "deciding_body": department, "occurred_on": evaluation["evaluated_on"],
            "valid_until": None, "resolved_on": None, "is_public": True,
            "import_key": f"{CREDIT_KEY_PREFIX}{evaluation['id']}", "recorded_by_id": None,
            "recorded_at": _aware(evaluation["evaluated_on"], 15),  # written when the scores were submitted
        })
        evaluation["credit_record_id"] = record_id
    return out


def _bids(rng, rows, ids, project, winner, region_key, qualified, pools, as_of, now) -> int:
    """1–4 applications from organizations; the winner's (when an organization) among them."""
    candidates = ([q for q in qualified if q[3] <= project["publicized_on"]] if region_key == ZHUHAI
                  else pools[region_key])
    if not candidates:
        return 0
    chosen = rng.sample(candidates, min(len(candidates), rng.randint(1, 4)))
    if winner is not None and winner not in chosen:
        chosen[0] = winner
    status = project["status"]
    latest = min(project["bid_deadline"], as_of)
    span = max(1, (latest - project["publicized_on"]).days)
    checks = _checks("active", "credit", *(["qualified"] if project["require_qualified"] else []),
                     *(["grade"] if project["min_grade"] else []))
    for org in chosen:
        if status == ProjectStatus.PUBLICIZED:
            bid_status = BidStatus.SUBMITTED
        elif winner is not None and org[0] == winner[0]:
            bid_status = BidStatus.AWARDED
        else:
            bid_status = BidStatus.UNSUCCESSFUL
        amount = (project["awarded_amount"] if bid_status == BidStatus.AWARDED
                  else _hundreds(float(project["budget"]) * rng.uniform(0.85, 1.0)))
        submitted = project["publicized_on"] + dt.timedelta(days=1 + rng.randrange(span))
        rows[Bid].append({"id": ids.take(Bid), "project_id": project["id"], "organization_id": org[0],
                          "amount": min(amount, project["budget"]),
                          "proposal": f"{org[1]}拟组建专业服务团队承接本项目,设项目负责人1名、专职人员{rng.randint(2, 8)}名,"
                                      "按季度报送服务进度,接受购买主体和第三方的跟踪评估。",
                          "status": bid_status, "checks": checks, "eligible": True, "submitted_by_id": None,
                          "submitted_at": _aware(submitted, 11), "version": 1})
    return len(chosen)


def _drafts(rng, as_of, departments, catalogues, now) -> dict:
    """A few drafts of 珠海市民政局 for next month: the purchaser's own, never public."""
    dept = next(d for d in departments[ZHUHAI] if d.name == "珠海市民政局")
    rows, ids = [], _Ids(PurchaseProject)
    for n, title in enumerate(["{y}年珠海市社区居家养老服务质量第三方评估项目", "{y}年珠海市社会组织孵化基地运营项目",
                               "{y}年珠海市困境儿童关爱服务项目(草稿)"]):
        starts = as_of + dt.timedelta(days=30 + 7 * n)
        pid = ids.take(PurchaseProject)
        rows.append({
            "id": pid, "ocid": f"{settings.OCDS_PREFIX}-{pid}", "department_id": dept.pk, "region_id": ZHUHAI,
            "region_prefix": "4404", "service_id": None, "category_id": ["D03", "B02", "A11"][n], "function_id": None,
            "title": title.format(y=as_of.year + (as_of.month == 12)), "description": "草稿:服务内容待完善。",
            "budget": Decimal(rng.choice([180000, 360000, 520000])), "method": PurchaseMethod.COMPETITIVE_CONSULTATION,
            "require_qualified": True, "min_grade": None, "requirements": "", "year": starts.year, "publicized_on": None,
            "procurement_starts_on": starts, "bid_deadline": starts + dt.timedelta(days=10),
            "service_starts_on": starts + dt.timedelta(days=30), "service_ends_on": starts + dt.timedelta(days=394),
            "status": ProjectStatus.DRAFT, "awarded_organization_id": None, "awarded_supplier_name": "",
            "awarded_supplier_id": "", "awarded_amount": None, "awarded_on": None, "award_reason": "",
            "completed_on": None, "cancelled_reason": "", "created_by_id": None, "created_at": now, "updated_at": now,
            "version": 1})
    return {"drafts": _insert(PurchaseProject, rows)}


def _transfers(rng, as_of, departments, catalogues, qualified) -> int:
    """Functions handed to qualified organizations, a 3-year guidance period each; two taken
    back after a failed performance evaluation, some whose period ended."""
    if not qualified:
        return 0
    by_name = {d.name: d for ds in departments.values() for d in ds}
    functions = [f for f in catalogues["function_rows"] if f.department_name in by_name]
    rows, ids = [], _Ids(FunctionTransfer)
    picked = rng.sample(functions, min(12, len(functions)))
    for n, function in enumerate(picked):
        org = qualified[(n * 7) % len(qualified)]
        started = max(org[3], dt.date(2015, 3, 1)) + dt.timedelta(days=rng.randint(30, 2400))
        started = min(started, as_of - dt.timedelta(days=30))
        guidance = _plus_years(started, 3)
        status, revoked_on, reason = FunctionTransferStatus.ACTIVE, None, ""
        if n in (3, 8):
            status, revoked_on = FunctionTransferStatus.REVOKED, min(as_of, started + dt.timedelta(days=400))
            reason = "年度绩效评价不合格,经限期整改仍未达到要求,依规收回相应职能。"
        elif guidance < as_of and n % 3 == 0:
            status = FunctionTransferStatus.ENDED
        rows.append({"id": ids.take(FunctionTransfer), "function_id": function.pk, "organization_id": org[0],
                     "department_id": by_name[function.department_name].pk, "started_on": started,
                     "guidance_until": guidance, "status": status, "revoked_on": revoked_on, "revoked_reason": reason,
                     "version": 1})
    return _insert(FunctionTransfer, rows)

"""「区市町村における再犯防止等の推進に向けた取組状況調査」 — docs/questionnaire.md.

This module is the single place where the questionnaire's ids, codes and labels are written.
"""

from __future__ import annotations

from dataclasses import replace

from forms.expression import Expr, parse
from forms.model import OTHER, OTHER_SUFFIX, Choice, Kind, Label, Question, Questionnaire, Section

L = Label
ALWAYS = True


def length(limit: int) -> Expr:
    return parse(f"string-length(.) <= {limit}")


def with_other(question: Question) -> tuple[Question, Question]:
    """A choice question that offers その他 plus its free-text field ``<id>_other``."""
    question = replace(
        question, choices=(*question.choices, Choice(OTHER, Label("その他", "Other")))
    )
    chosen = parse(f"selected(${{{question.id}}}, '{OTHER}')")
    text = Question(
        id=question.id + OTHER_SUFFIX,
        kind=Kind.TEXT,
        label=Label(
            f"{question.label.ja}（その他の内容）", f"{question.label.en} (other, please specify)"
        ),
        required=chosen,
        relevant=chosen,
        constraint=length(200),
        other_of=question.id,
    )
    return question, text


PLAN_STATUS = Question(
    id="plan_status",
    kind=Kind.ONE_OF,
    label=L("計画の策定状況", "Status of the local plan"),
    required=ALWAYS,
    choices=(
        Choice("formulated", L("策定済み", "Formulated"), "①"),
        Choice(
            "public_comment",
            L(
                "パブリックコメント手続中（終了している場合を含む）",
                "In public comment (or finished)",
            ),
            "②",
        ),
        Choice(
            "council_review",
            L("関係機関等との協議会等で検討中", "Under review in a council with related bodies"),
            "③",
        ),
        Choice(
            "internal_planning",
            L(
                "庁内で策定に向けて検討中（協議会等の設置予定を含む）",
                "Being prepared internally (including a planned council)",
            ),
            "④",
        ),
        Choice(
            "internal_feasibility",
            L("庁内で策定の可否を検討中", "Internally considering whether to make one"),
            "⑤",
        ),
        Choice("no_plan", L("現時点で策定予定なし", "No plan at present"), "⑥"),
    ),
)

_formulated = parse("${plan_status} = 'formulated'")
_has_plan_name = parse("${plan_status} = 'formulated' or ${plan_status} = 'public_comment'")
_decided = parse("not(${lead_department_undecided})")

_plan_integrated_with, _plan_integrated_with_other = with_other(
    Question(
        id="plan_integrated_with",
        kind=Kind.MANY_OF,
        label=L("一体的に策定した計画", "Plans made together with it"),
        relevant=_has_plan_name,
        choices=(
            Choice("regional_welfare", L("地域福祉計画", "Regional welfare plan")),
            Choice("crime_prevention", L("防犯に関する計画", "Crime prevention plan")),
        ),
    )
)

_plan_challenges, _plan_challenges_other = with_other(
    Question(
        id="plan_challenges",
        kind=Kind.MANY_OF,
        label=L("計画策定を進める上での課題", "Challenges in making the plan"),
        choices=(
            Choice(
                "no_lead_department",
                L(
                    "所管部署が決まらない・庁内調整が進まない",
                    "No lead department decided / internal coordination stalled",
                ),
            ),
            Choice(
                "lack_of_staff",
                L(
                    "他の課題（感染症対策等）によりマンパワーが不足",
                    "Short of staff because of other issues (e.g. infection control)",
                ),
            ),
            Choice(
                "low_internal_understanding",
                L(
                    "庁内における再犯防止への理解が進んでいない",
                    "Little understanding of recidivism prevention within the office",
                ),
            ),
        ),
    )
)

SECTION_A = Section(
    id="A",
    title=L("A. 地方再犯防止推進計画", "A. Local recidivism prevention plan"),
    items=(
        PLAN_STATUS,
        Question(
            id="plan_name",
            kind=Kind.TEXT,
            label=L("計画の名称", "Name of the plan"),
            required=_has_plan_name,
            relevant=_has_plan_name,
            constraint=length(200),
        ),
        Question(
            id="plan_date",
            kind=Kind.DATE,
            label=L("策定日", "Date formulated"),
            required=_formulated,
            relevant=_has_plan_name,
            constraint=parse("${plan_status} != 'formulated' or . <= ${reference_date}"),
            hint=L("例: 令和3年3月31日、2021-03-31", "e.g. 2021-03-31"),
        ),
        _plan_integrated_with,
        _plan_integrated_with_other,
        Question(
            id="lead_department",
            kind=Kind.TEXT,
            label=L("所管部署", "Lead department"),
            required=_decided,
            relevant=_decided,
            constraint=length(100),
        ),
        Question(
            id="lead_department_undecided",
            kind=Kind.BOOL,
            label=L("所管部署未定", "Lead department not yet decided"),
        ),
        _plan_challenges,
        _plan_challenges_other,
    ),
)

_programs, _programs_other = with_other(
    Question(
        id="programs",
        kind=Kind.MANY_OF,
        label=L("実施している事業", "Programs carried out"),
        choices=(
            Choice(
                "shamei_campaign",
                L("社会を明るくする運動", "'Brighter Society' campaign (Shamei)"),
            ),
            Choice(
                "awareness_events",
                L(
                    "シンポジウムや講演会等による広報・啓発活動",
                    "Awareness activities such as symposiums and lectures",
                ),
            ),
            Choice(
                "hogoshi_support",
                L(
                    "面接場所の提供など保護司活動への協力・支援",
                    "Support for volunteer probation officers (e.g. interview rooms)",
                ),
            ),
            Choice(
                "hogoshi_subsidy",
                L(
                    "地区保護司会への補助金等の財政的支援",
                    "Financial support for local volunteer probation officer associations",
                ),
            ),
            Choice(
                "employer_support",
                L(
                    "協力雇用主への支援（制度の普及啓発、公共調達における受注機会の提供等）",
                    "Support for cooperating employers (publicity, public procurement)",
                ),
            ),
            Choice(
                "youth_employment",
                L("保護観察対象少年の雇用", "Employing juveniles on probation"),
            ),
        ),
    )
)

_program_challenges, _program_challenges_other = with_other(
    Question(
        id="program_challenges",
        kind=Kind.MANY_OF,
        label=L("各種事業を進める上での課題", "Challenges in running programs"),
        choices=(
            Choice("lack_statistics", L("統計データが不足", "Lack of statistics")),
            Choice(
                "lack_target_info",
                L("支援すべき対象者の情報が不足", "Lack of information on people to support"),
            ),
            Choice(
                "lack_employer_info",
                L("協力雇用主等の情報が不足", "Lack of information on cooperating employers"),
            ),
            Choice(
                "low_community_awareness",
                L(
                    "地域社会の理解・気運が高まっていない",
                    "Little understanding or momentum in the community",
                ),
            ),
        ),
    )
)

SECTION_B = Section(
    id="B",
    title=L("B. 事業実施状況", "B. Programs"),
    items=(
        _programs,
        _programs_other,
        Question(
            id="cooperating_employers",
            kind=Kind.INTEGER,
            label=L("協力雇用主数（把握している場合）", "Cooperating employers (if known)"),
            constraint=parse(". >= 0"),
        ),
        _program_challenges,
        _program_challenges_other,
    ),
)

_consultation_setup, _consultation_setup_other = with_other(
    Question(
        id="consultation_setup",
        kind=Kind.ONE_OF,
        label=L("相談支援体制", "Consultation setup"),
        required=ALWAYS,
        choices=(
            Choice(
                "dedicated_window",
                L(
                    "犯罪に関する相談の専門窓口がある",
                    "A dedicated window for crime-related consultations",
                ),
            ),
            Choice(
                "general_welfare_window",
                L(
                    "福祉の総合相談窓口等で受け付け、関係部署につなぐ",
                    "General welfare window that refers to the departments concerned",
                ),
            ),
            Choice(
                "departmental",
                L(
                    "福祉部門の各担当部署（高齢者・障害等）で受け付け、部署間で連携",
                    "Each welfare department (elderly, disability, ...) cooperating",
                ),
            ),
            Choice("none", L("特に体制はない", "No particular setup")),
        ),
    )
)

_consultation_challenges, _consultation_challenges_other = with_other(
    Question(
        id="consultation_challenges",
        kind=Kind.MANY_OF,
        label=L("相談対応拡充を進める上での課題", "Challenges in expanding consultation"),
        choices=(
            Choice("lack_expertise", L("専門的知識・ノウハウが無い", "Lack of expertise")),
            Choice("staffing", L("人材の確保が困難", "Hard to find staff")),
            Choice(
                "privacy",
                L(
                    "本人のプライバシーや対応職員への配慮",
                    "Privacy of the person and care for the staff",
                ),
            ),
            Choice(
                "multi_agency",
                L(
                    "複合的なケースでの関係部署・関係機関との連携",
                    "Coordination with other bodies in complex cases",
                ),
            ),
        ),
    )
)

SECTION_C = Section(
    id="C",
    title=L("C. 相談支援体制", "C. Consultation and support"),
    items=(
        _consultation_setup,
        _consultation_setup_other,
        Question(
            id="consultations_received",
            kind=Kind.INTEGER,
            label=L(
                "前年度に受け付けた犯罪に関する相談件数",
                "Crime-related consultations received last fiscal year",
            ),
            constraint=parse(". >= 0"),
        ),
        _consultation_challenges,
        _consultation_challenges_other,
    ),
)

_requests, _requests_other = with_other(
    Question(
        id="requests",
        kind=Kind.MANY_OF,
        label=L("都への要望", "Requests to the Metropolitan Government"),
        choices=(
            Choice(
                "information",
                L("情報発信や広報啓発の強化", "More information and publicity"),
            ),
            Choice("training", L("再犯防止に関する研修会", "Training on recidivism prevention")),
            Choice(
                "liaison_meetings",
                L("定期的な連絡会・情報交換", "Regular liaison meetings and exchange"),
            ),
            Choice(
                "national_exchange",
                L(
                    "国（法務省）・東京保護観察所との意見交換",
                    "Exchange with the Ministry of Justice and Tokyo Probation Office",
                ),
            ),
            Choice(
                "consultation_knowhow",
                L(
                    "相談事業で得られた知見を活かした支援",
                    "Support drawing on the consultation desk's experience",
                ),
            ),
        ),
    )
)

SECTION_D = Section(
    id="D",
    title=L("D. 都への要望", "D. Requests"),
    items=(
        _requests,
        _requests_other,
        Question(
            id="comments",
            kind=Kind.TEXT,
            label=L("自由記述", "Comments"),
            constraint=length(2000),
        ),
    ),
)

SECTION_E = Section(
    id="E",
    title=L("E. 回答者", "E. Respondent"),
    items=(
        Question(
            id="contact_department",
            kind=Kind.TEXT,
            label=L("回答部署", "Department"),
            constraint=length(100),
            personal=True,
        ),
        Question(
            id="contact_name",
            kind=Kind.TEXT,
            label=L("回答者氏名", "Name"),
            required=ALWAYS,
            constraint=length(100),
            personal=True,
        ),
        Question(
            id="contact_phone",
            kind=Kind.PHONE,
            label=L("電話番号", "Phone number"),
            required=ALWAYS,
            hint=L("例: 03-5321-1111", "e.g. 03-5321-1111"),
            personal=True,
        ),
        Question(
            id="contact_email",
            kind=Kind.EMAIL,
            label=L("メールアドレス", "E-mail address"),
            required=ALWAYS,
            personal=True,
        ),
    ),
)

TORIKUMI = Questionnaire(
    id="torikumi",
    version=1,
    title=L(
        "区市町村における再犯防止等の推進に向けた取組状況調査",
        "Survey of municipal efforts to prevent recidivism",
    ),
    sections=(SECTION_A, SECTION_B, SECTION_C, SECTION_D, SECTION_E),
    headline=PLAN_STATUS.id,
    listed_choice="formulated",
)

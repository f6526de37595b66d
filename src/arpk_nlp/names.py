"""Human names for the codes in the records: A4P areas and entity labels in Arabic and English,
with one-line definitions and fixed colours, shared by the tables, the report and the article view.

The Arabic area names are those of ANNOTATION.md section 3; the definitions condense its
"covers" column to one line so an analyst can read them next to a score.
"""
from __future__ import annotations

from dataclasses import dataclass

from .pipeline.labels import A4P_LABELS, ENTITY_LABELS


@dataclass(frozen=True)
class Name:
    code: str
    ar: str
    en: str
    def_ar: str = ""
    def_en: str = ""
    color: str = "#999999"


# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in grey print.
AREAS: dict[str, Name] = {n.code: n for n in (
    Name("POLITICS", "الحلول السياسية", "Political solutions",
         "العمليات السياسية واتفاقات السلام والوساطة ووقف إطلاق النار ودعم الانتخابات.",
         "Political processes, peace agreements, mediation, ceasefires, election support.", "#E69F00"),
    Name("WPS", "المرأة والسلام والأمن", "Women, peace and security",
         "مشاركة المرأة في حفظ السلام وعمليات السلام، والتكافؤ بين الجنسين.",
         "Women's participation in peacekeeping and peace processes, gender parity.", "#CC79A7"),
    Name("PROTECTION", "الحماية", "Protection",
         "حماية المدنيين وحقوق الإنسان والأطفال، والعنف الجنسي ضد المدنيين، والوصول الإنساني.",
         "Protection of civilians, human rights, children, sexual violence against civilians, humanitarian access.",
         "#56B4E9"),
    Name("SAFETY_SECURITY", "سلامة وأمن حفظة السلام", "Safety and security",
         "الهجمات على حفظة السلام وخسائرهم، والعبوات الناسفة، والدعم الطبي والإجلاء.",
         "Attacks on peacekeepers, casualties, IEDs, medical support and evacuation.", "#D55E00"),
    Name("PERFORMANCE_ACCOUNTABILITY", "الأداء والمساءلة", "Performance and accountability",
         "أداء حفظة السلام والبعثات وتقييمه، والجاهزية، والمساءلة، وثغرات القدرات.",
         "Performance of peacekeepers and missions, evaluation, readiness, accountability, capability gaps.",
         "#0072B2"),
    Name("PEACEBUILDING", "بناء السلام واستدامته", "Peacebuilding and sustaining peace",
         "سيادة القانون وإصلاح قطاع الأمن ونزع السلاح ومؤسسات الدولة وانتقال البعثات.",
         "Rule of law, security sector reform, DDR, state institutions, mission transitions.", "#009E73"),
    Name("PARTNERSHIPS", "الشراكات", "Partnerships",
         "التعاون مع الدول الأعضاء والمساهمين بالقوات والمنظمات الإقليمية، والتعهدات والتدريب.",
         "Cooperation with member states, contributors and regional organizations; pledges, training.",
         "#F0E442"),
    Name("CONDUCT", "سلوك حفظة السلام وعمليات حفظ السلام", "Conduct of peacekeepers",
         "سوء السلوك والاستغلال والانتهاك الجنسيان والانضباط والأثر البيئي للبعثات.",
         "Misconduct, sexual exploitation and abuse, discipline, environmental footprint.", "#7F7F7F"),
)}

ENTITIES: dict[str, Name] = {n.code: n for n in (
    Name("PERSON", "شخص", "Person", color="#c9c0fd"),
    Name("ORG", "منظمة", "Organization", color="#a6f0f0"),
    Name("GPE", "دولة أو مدينة", "Country or city", color="#fedb9f"),
    Name("LOC", "مكان", "Place", color="#ffb995"),
    Name("MISSION", "بعثة", "Mission", color="#bfe1d9"),
    Name("EVENT", "حدث", "Event", color="#fff0a6"),
)}

assert tuple(AREAS) == A4P_LABELS and tuple(ENTITIES) == ENTITY_LABELS


def area(code: str) -> Name:
    """The Name of an area code; an unknown code (a newer model) keeps its code as its names."""
    return AREAS.get(code) or Name(code, code, code)


def entity(code: str) -> Name:
    return ENTITIES.get(code) or Name(code, code, code)

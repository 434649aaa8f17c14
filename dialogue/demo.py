"""The quick start's dialogue: Exempelkommun's local compact with civil society, adopted in 2024,
twelve organisations signed on, an action plan with its published follow-up of 2025, and a
revised version open for comments with the first comments on it; and its pensioners' council,
with two meetings held and their minutes published, and one coming."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from dialogue import services
from dialogue.models import (
    AgendaItem,
    Attendance,
    CommitmentStatus,
    Compact,
    Consultation,
    Forum,
    ForumKind,
    ForumMember,
    Meeting,
    MemberStatus,
    MinutesStatus,
    Owner,
    Response,
    SignOn,
    VersionComment,
)
from organisations.models import Organisation, OrganisationMembership, OrganisationStatus
from portal.models import PublicBody, User
from portal.services import registry_number_allocate

TITLE = "Överenskommelse mellan Exempelkommun och den idéburna sektorn"

SECTIONS = [
    (
        "Varför en överenskommelse",
        "Exempelkommun och de idéburna organisationerna vill tillsammans stärka demokratin, "
        "välfärden och människors möjligheter att engagera sig. Överenskommelsen beskriver hur "
        "vi samverkar och vad vi åtar oss, och följs upp varje år.",
    ),
    (
        "Självständighet och oberoende",
        "De idéburna organisationernas självständighet respekteras. Organisationerna har rätt att "
        "driva opinion och granska kommunen, också när de tar emot bidrag eller ingår partnerskap.",
    ),
    (
        "Dialog",
        "Kommunen bjuder in till dialog tidigt, innan beslut är fattade, och ger skälig tid att "
        "svara. Den som har lämnat synpunkter får veta vad som hände med dem.",
    ),
    (
        "Långsiktighet",
        "Stöd till organisationerna ges så långt som möjligt som fleråriga bidrag och "
        "överenskommelser, med god framförhållning inför förändringar.",
    ),
    (
        "Mångfald och öppenhet",
        "Samverkan ska vara öppen för små och nya organisationer, och för grupper som sällan hörs. "
        "Alla organisationer får samma information samtidigt.",
    ),
]

REVISED = {
    "Dialog": "Kommunen bjuder in till dialog tidigt, innan beslut är fattade, och ger minst "
    "fyra veckors svarstid. Den som har lämnat synpunkter får skriftligt veta vad som hände "
    "med dem, senast tre månader efter beslutet.",
}

COMMITMENTS = [
    (
        "Kommunen publicerar alla utlysningar i portalen minst sex veckor före sista ansökningsdag.",
        Owner.MUNICIPALITY,
        "Kultur- och fritidsnämnden",
    ),
    (
        "Organisationerna sprider kännedom om överenskommelsen i sina nätverk.",
        Owner.ASSOCIATIONS,
        "",
    ),
    ("Ett gemensamt dialogforum hålls två gånger om året.", Owner.BOTH, "Beredningsgruppen"),
    (
        "Kommunen erbjuder treåriga verksamhetsbidrag i minst ett bidragsprogram.",
        Owner.MUNICIPALITY,
        "Socialnämnden",
    ),
    (
        "Organisationerna bjuder in nya föreningar till sina aktiviteter och utbildningar.",
        Owner.ASSOCIATIONS,
        "",
    ),
]

FOLLOW_UP = [
    (CommitmentStatus.DONE, "Alla 14 utlysningar 2025 publicerades i tid.", ""),
    (CommitmentStatus.STARTED, "Presentation på tre föreningsträffar.", "Fortsätter 2026."),
    (CommitmentStatus.DONE, "Forum i april och oktober, 64 deltagare.", ""),
    (CommitmentStatus.NOT_STARTED, "", "Utreds inför budget 2027."),
    (CommitmentStatus.STARTED, "Fyra föreningar har öppnat sina ledarutbildningar.", ""),
]


def _representative(organisation: Organisation) -> User | None:
    membership = (
        OrganisationMembership.objects.filter(organisation=organisation, role="representative")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def seed_dialogue(*, users: dict[str, User]) -> None:
    seed_compact(users=users)
    seed_forum(users=users)
    seed_consultations(users=users)


def seed_compact(*, users: dict[str, User]) -> None:
    if Compact.objects.filter(title=TITLE).exists():
        return
    kommun = PublicBody.objects.filter(registry_prefix="EXK").first()
    if kommun is None:
        return
    officer = users["handlaggare@exempel.se"]
    compact = services.compact_create(
        actor=officer,
        public_body=kommun,
        title=TITLE,
        summary="Hur kommunen och föreningarna, trossamfunden och de sociala företagen i "
        "Exempelkommun samverkar: principerna, åtagandena och den årliga uppföljningen.",
    )
    version = compact.versions.get()
    for title, text in SECTIONS:
        version = services.version_section_add(
            actor=officer, version=version, title=title, text=text
        )
    services.version_adopt(
        actor=officer,
        version=version,
        adopted_on=date(2024, 3, 14),
        adopted_by="Kommunfullmäktige",
        paragraph="§ 42",
        seen_state=None,
    )
    version.refresh_from_db()
    # twelve verified organisations signed on through their representatives (the demo writes
    # the rows; a person signs on with a code from their authenticator app)
    signed = [
        o
        for o in Organisation.objects.filter(status=OrganisationStatus.VERIFIED).order_by("pk")
        if o.name != "Exempelstadens Idrottsförening"  # left for the demo's representative
    ]
    zone = timezone.get_current_timezone()
    for position, organisation in enumerate(signed[:12]):
        person = _representative(organisation) or users["admin@exempel.se"]
        day = date(2024, 4, 2) + timedelta(days=9 * position)
        SignOn.objects.create(
            compact=compact,
            version=version,
            organisation=organisation,
            signed_by=person,
            signed_at=datetime.combine(day, time(10, 0), tzinfo=zone),
            text_sha256=version.text_sha256,
        )
    plan = services.plan_add(
        actor=officer,
        compact=compact,
        title="Handlingsplan 2025–2026",
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    commitments = [
        services.commitment_add(actor=officer, plan=plan, text=text, owner=owner, responsible=who)
        for text, owner, who in COMMITMENTS
    ]
    follow_up = services.follow_up_save(
        actor=officer,
        plan=plan,
        year=2025,
        summary="Ett första år med handlingsplanen: tre av fem åtaganden är genomförda eller på "
        "väg. Det fleråriga bidraget återstår.",
        entries={
            c.pk: services.EntryInput(status=status, evidence=evidence, comment=comment)
            for c, (status, evidence, comment) in zip(commitments, FOLLOW_UP, strict=True)
        },
    )
    services.follow_up_publish(actor=officer, follow_up=follow_up)
    # the revision of 2026, open for comments
    draft = services.version_start(actor=officer, compact=compact)
    for section in draft.sections:
        if section["title"] in REVISED:
            draft = services.version_section_save(
                actor=officer,
                version=draft,
                key=section["key"],
                title=section["title"],
                text=REVISED[section["title"]],
                seen_state=None,
            )
    services.version_open_for_comments(
        actor=officer,
        version=draft,
        closes=timezone.localdate() + timedelta(days=30),
        seen_state=None,
    )
    dialog = next(s for s in draft.sections if s["title"] == "Dialog")
    for organisation in signed[:2]:
        commenter = _representative(organisation)
        if commenter is None:
            continue
        VersionComment.objects.create(
            version=draft,
            section=dialog["key"],
            organisation=organisation,
            author=commenter,
            text="Bra med en fast svarstid. Fyra veckor räcker inte när remissen kommer under "
            "sommaren: skriv sex veckor under juni–augusti.",
        )


FORUM = "Kommunala pensionärsrådet"

MINUTES = [
    (
        date(2026, 9, 10),
        "§ 1 Ordföranden öppnade mötet.\n"
        "§ 2 Färdtjänsten: förvaltningen redovisade väntetiderna under sommaren. Rådet vill få "
        "en ny redovisning i oktober.\n"
        "§ 3 Äldreboendenas aktiviteter: föreningarna erbjuder sig att hålla i högläsning.\n"
        "§ 4 Mötet avslutades.",
    ),
    (
        date(2026, 10, 22),
        "§ 1 Ordföranden öppnade mötet.\n"
        "§ 2 Färdtjänsten: väntetiderna har kortats till i genomsnitt 12 minuter.\n"
        "§ 3 Budget 2027 för äldreomsorgen: rådet lämnade synpunkter på hemtjänstens taxor.\n"
        "§ 4 Mötet avslutades.",
    ),
]


def seed_forum(*, users: dict[str, User]) -> None:
    """A pensioners' council with its member organisations, two meetings held with published
    minutes, and one coming with its agenda and a member's proposal waiting for an answer."""
    if Forum.objects.filter(title=FORUM).exists():
        return
    kommun = PublicBody.objects.filter(registry_prefix="EXK").first()
    if kommun is None:
        return
    officer = users["handlaggare@exempel.se"]
    forum = services.forum_create(
        actor=officer,
        public_body=kommun,
        title=FORUM,
        kind=ForumKind.PENSIONERS,
        description="Pensionärsorganisationernas och kommunens råd för frågor som rör äldre: "
        "äldreomsorg, färdtjänst, bostäder och mötesplatser. Rådet möts fyra gånger om året.",
    )
    verified = list(Organisation.objects.filter(status=OrganisationStatus.VERIFIED).order_by("pk"))
    members: list[ForumMember] = []
    for organisation in verified:
        if len(members) == 6:
            break
        person = _representative(organisation)
        if person is None:
            continue
        if organisation.name == "Exempelstadens Idrottsförening":
            # invited, for the demo's representative to answer
            ForumMember.objects.create(forum=forum, organisation=organisation, invited_by=officer)
            continue
        members.append(
            ForumMember.objects.create(
                forum=forum,
                organisation=organisation,
                status=MemberStatus.ACTIVE,
                representative=person,
                invited_by=officer,
            )
        )
    zone = timezone.get_current_timezone()
    for day, text in MINUTES:
        starts = datetime.combine(day, time(14, 0), tzinfo=zone)
        meeting = Meeting.objects.create(
            forum=forum,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Stadshuset, sammanträdesrum Ekan",
            notice_on=day - timedelta(days=forum.notice_days),
            minutes=text,
            minutes_status=MinutesStatus.PUBLISHED,
            minutes_approved_by="Ordförande Karin Berg och justerare Olle Lind",
            minutes_approved_on=day + timedelta(days=7),
            minutes_published_at=starts + timedelta(days=8),
        )
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                member=member,
                present="representative" if n % 3 else "absent",
            )
            for n, member in enumerate(members, start=1)
        )
    # the coming meeting, three weeks ahead
    day = timezone.localdate() + timedelta(days=21)
    starts = datetime.combine(day, time(14, 0), tzinfo=zone)
    coming = services.meeting_schedule(
        actor=officer,
        forum=forum,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Stadshuset, sammanträdesrum Ekan",
    )
    for title in ("Färdtjänsten: uppföljning", "Mötesplatser för äldre under vintern"):
        services.agenda_item_add(actor=officer, meeting=coming, title=title)
    if members and members[0].representative is not None:
        AgendaItem.objects.create(
            meeting=coming,
            title="Snöröjning vid busshållplatser",
            description="Flera medlemmar har inte kommit fram till bussen efter snöfall.",
            status="proposed",
            position=3,
            organisation=members[0].organisation,
            proposed_by=members[0].representative,
        )


OPEN_CONSULTATION = "Förslag till ny biblioteksplan 2027–2030"
CLOSED_CONSULTATION = "Riktlinjer för föreningsbidrag"


def seed_consultations(*, users: dict[str, User]) -> None:
    """One consultation open for responses, and one closed with the responses public and what
    happened next told."""
    kultur = PublicBody.objects.filter(registry_prefix="KFN").first()
    if kultur is None or Consultation.objects.filter(title=OPEN_CONSULTATION).exists():
        return
    officer = users["handlaggare@exempel.se"]
    responders = [
        (organisation, person)
        for organisation in Organisation.objects.filter(
            status=OrganisationStatus.VERIFIED
        ).order_by("pk")
        if organisation.name != "Exempelstadens Idrottsförening"
        and (person := _representative(organisation)) is not None
    ][:3]
    # closed: asked in the spring, responded to, followed up
    closed = Consultation.objects.create(
        public_body=kultur,
        title=CLOSED_CONSULTATION,
        question="Kultur- och fritidsnämnden ser över riktlinjerna för föreningsbidrag. Vi vill "
        "särskilt veta vad ni tycker om att ersätta aktivitetsstödet per deltagartillfälle med "
        "ett grundbidrag per förening, och om de nya kraven på redovisning.",
        audience="all",
        deadline=date(2026, 5, 15),
        status="open",
        published_at=datetime(2026, 4, 10, 9, tzinfo=timezone.get_current_timezone()),
        created_by=officer,
        outcome="Nämnden beslutade den 17 september 2026 (§ 88) att behålla aktivitetsstödet "
        "och att förenkla redovisningen för bidrag under 20 000 kr. Synpunkterna om kortare "
        "handläggningstider ledde till att beslut nu fattas inom sex veckor.",
        outcome_published_at=datetime(2026, 9, 20, 10, tzinfo=timezone.get_current_timezone()),
    )
    closed.registry_number = registry_number_allocate(public_body=kultur, year=2026)
    closed.save(update_fields=["registry_number"])
    answers = [
        (
            "Behåll aktivitetsstödet: det följer verksamheten och gynnar föreningar som växer.",
            "Aktivitetsstödet behålls.",
        ),
        (
            "Redovisningen tar för mycket tid för små föreningar. Förenkla för små bidrag.",
            "Redovisningen förenklas för bidrag under 20 000 kr.",
        ),
        (
            "Handläggningstiden är för lång: beslut dröjer upp till tre månader.",
            "Beslut fattas nu inom sex veckor.",
        ),
    ]
    for (organisation, person), (text, feedback) in zip(responders, answers, strict=False):
        Response.objects.create(
            consultation=closed,
            organisation=organisation,
            text=text,
            feedback=feedback,
            registry_number=registry_number_allocate(public_body=kultur, year=2026),
            submitted_by=person,
            submitted_at=datetime(2026, 5, 2, 20, tzinfo=timezone.get_current_timezone()),
        )
    # open: published now, responses until four weeks from today
    current = services.consultation_create(
        actor=officer,
        public_body=kultur,
        title=OPEN_CONSULTATION,
        question="Biblioteksplanen beskriver hur kommunens bibliotek ska utvecklas de kommande "
        "fyra åren. Vi vill veta hur föreningarna använder biblioteken i dag, och vad ni vill "
        "att biblioteken ska erbjuda: lokaler, öppettider, program för barn och unga.",
        audience="all",
        deadline=timezone.localdate() + timedelta(days=28),
    )
    services.consultation_publish(actor=officer, consultation=current, seen_state=None)
    if responders:
        organisation, person = responders[0]
        services.response_submit(
            actor=person,
            consultation=current,
            organisation=organisation,
            text="Vi använder bibliotekets mötesrum varje vecka. Fler rum på kvällstid skulle "
            "göra stor skillnad för oss.",
        )

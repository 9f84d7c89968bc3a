//! `admin status`: one screen answering "what needs my attention?".
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::StatusArgs;
use crate::status::{self, Named, REVIEW_DAYS, STALE_DATA_DAYS};
use crate::validate::quoted;
use crate::{output, Ctx};

/// The most names a line of `status` lists before it summarises the rest.
const SHOWN: usize = 5;

/// The most forces the "Goes public" part lists before it counts the rest: a screenful.
const GOES_PUBLIC: usize = 12;

/// The names, or the first few and how many more, with the command that lists them all: 45 due
/// forces must not make one 1,300-character line.
fn names(list: &[Named], all: &str) -> String {
    let shown: Vec<&str> = list.iter().take(SHOWN).map(|n| n.name.as_str()).collect();
    match list.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{}, and {more} more (`{all}`)", shown.join(", ")),
    }
}

/// `label` and the comma-separated `text` wrapped after a comma to fit 100 columns, so a name
/// is never split, continuation lines indented under the text.
fn wrapped(label: &str, text: &str) -> String {
    const WIDTH: usize = 100;
    let indent = " ".repeat(label.chars().count());
    let mut out = String::from(label);
    let mut column = label.chars().count();
    let items: Vec<&str> = text.split(", ").collect();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() { format!("{item},") } else { (*item).to_owned() };
        let len = piece.chars().count();
        if i > 0 && column + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(&indent);
            column = indent.len();
        } else if i > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(&piece);
        column += len;
    }
    out.push('\n');
    out
}

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<ExitCode> {
    let mut db = ctx.open()?;
    let status = db.read(|tx| status::gather(tx, &ctx.clock))?;
    if args.json.json {
        output::json(&status)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    text.push_str(&format!(
        "Forces:       {} active ({} linked, {} not yet linked), {} retired\n",
        status.active, status.linked, status.not_linked, status.retired
    ));
    let counts: Vec<String> = ["ok", "caution", "broken", "pending", "missing"]
        .iter()
        .map(|k| format!("{} {k}", status.links.get(k).copied().unwrap_or(0)))
        .collect();
    text.push_str(&format!("Links:        {}\n", counts.join(", ")));
    if !status.broken.is_empty() {
        text.push_str(&wrapped("  broken:     ", &names(&status.broken, "admin list")));
    }
    if !status.caution.is_empty() {
        text.push_str(&wrapped("  caution:    ", &names(&status.caution, "admin list")));
    }
    text.push_str(&format!(
        "Reviews due:  {} (never reviewed, or not in {REVIEW_DAYS} days)\n",
        status.reviews_due.len()
    ));
    if !status.reviews_due.is_empty() {
        text.push_str(&wrapped("  due:        ", &names(&status.reviews_due, "admin due")));
    }
    if !status.stale_data.is_empty() {
        let stale: Vec<String> =
            status.stale_data.iter().map(|s| format!("{} (data up to {})", s.name, s.data_to)).collect();
        text.push_str(&format!(
            "Stale data:   {} (data recorded as ending over {STALE_DATA_DAYS} days ago)\n  stale:      {}\n",
            status.stale_data.len(),
            stale.join(", ")
        ));
    }
    text.push_str(&format!("Open notes:   {} ({} public)\n", status.open_notes, status.open_public_notes));
    let changes = if status.unpublished_changes == 1 { "change" } else { "changes" };
    text.push_str(&format!("Unpublished:  {} {changes}\n", status.unpublished_changes));
    if status.unpublished_changes > 0 {
        text.push_str(&format!("  next note:  {}\n", output::one_line(&status.next_note)));
    }
    if !status.goes_public.is_empty() {
        text.push_str("Goes public:\n");
        for line in
            crate::publish::difference_lines(&status.goes_public, crate::publish::Form::Compact(GOES_PUBLIC))
        {
            text.push_str(&format!("{line}\n"));
        }
    }
    match &status.last_publication {
        Some(p) => text.push_str(&format!(
            "Published:    publication {} ({}) at {} by {}: {}\n",
            p.id,
            if p.major { "major" } else { "minor" },
            crate::clock::shown(&p.at),
            p.editor,
            output::one_line(&p.note)
        )),
        None => text.push_str("Published:    never; run `admin publish`\n"),
    }
    text.push_str(&approval_lines(&status.approval));
    text.push_str(&name_lines(&status));
    output::line(text.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// Names that read as one, and letters a name typed now may not hold: kept from a database an
/// older admin wrote, for an editor to rename or retire.
fn name_lines(status: &status::Status) -> String {
    let mut text = String::new();
    let named = |n: &Named| format!("{} ({})", quoted(&n.name), n.slug);
    for pair in &status.look_alikes {
        text.push_str(&format!(
            "Look-alikes:  {} and {} read as one name; rename or retire one\n",
            named(&pair.first),
            named(&pair.second)
        ));
    }
    for [a, b] in &status.look_alike_editors {
        text.push_str(&format!(
            "Look-alikes:  editors {} and {} read as one name; retire one\n",
            quoted(a),
            quoted(b)
        ));
    }
    for f in &status.refused_letters {
        text.push_str(&format!(
            "Odd letter:   {} ({}) holds {}, which a name typed now may not; rename it\n",
            quoted(&f.name),
            f.slug,
            f.character
        ));
    }
    text
}

/// The second check: what is approved, what is scheduled, what went out unchecked.
fn approval_lines(a: &status::ApprovalStatus) -> String {
    let mut text = String::new();
    let need = match (a.required, a.setting) {
        (true, "set") => "required (admin settings)",
        (true, _) => "required (two editors could publish)",
        (false, "set") => "optional (admin settings)",
        (false, _) => "optional (fewer than two publishers so far)",
    };
    let state = match (&a.approved_by, a.pending) {
        (Some(by), _) => format!("the pending content is approved by {by}"),
        (None, true) => "the pending content is not approved yet".to_owned(),
        (None, false) => "nothing pending".to_owned(),
    };
    text.push_str(&format!("Approval:     {need}; {state}\n"));
    if let Some(s) = &a.schedule {
        text.push_str(&format!(
            "Scheduled:    to go live at {} (change {}, by {})\n",
            crate::clock::shown(&s.at),
            s.change,
            s.by
        ));
        if let Some(problems) = &a.schedule_problems {
            text.push_str(&schedule_problem_lines(s, problems));
        }
    }
    if let Some(done) = &a.schedule_done {
        text.push_str(&format!(
            "Scheduled:    done: the content scheduled for {} (change {}) went out by hand in publication {}\n",
            crate::clock::shown(&done.schedule.at),
            done.schedule.change,
            done.publication
        ));
    }
    if let Some(warning) = &a.too_few_publishers {
        text.push_str(&format!("  warning: {warning}\n"));
    }
    // the newest few, and how many more: a long run of them must not fill the screen
    for p in a.unapproved.iter().take(SHOWN) {
        text.push_str(&format!(
            "  unapproved: publication {} at {} by {}: {}\n",
            p.id,
            crate::clock::shown(&p.at),
            p.editor,
            output::one_line(p.without_approval.as_deref().unwrap_or_default())
        ));
    }
    if let more @ 1.. = a.unapproved.len().saturating_sub(SHOWN) {
        text.push_str(&format!("  unapproved: and {more} more (`admin publications`)\n"));
    }
    text
}

/// What stands in a schedule's way: its time passed, its content changed, its publisher gone.
fn schedule_problem_lines(s: &crate::approval::Schedule, p: &status::ScheduleProblems) -> String {
    let mut text = String::new();
    let blocked = p.changed_by.is_some() || p.publisher.is_some();
    if p.overdue {
        text.push_str(&format!("  overdue:    due since {}", crate::clock::shown(&s.at)));
        text.push_str(if blocked {
            "; it cannot go out as it stands:\n"
        } else {
            "; `admin publish --scheduled` publishes it\n"
        });
    }
    let again = "cancel it with `admin publish --cancel-schedule` and schedule again";
    if let Some(c) = &p.changed_by {
        let first = match c.change {
            0 => c.what.clone(),
            id => format!("first change {id}, {} by {}", c.what, c.editor),
        };
        text.push_str(&format!(
            "  warning:    the content changed after it was scheduled ({}), so `admin publish --scheduled` will refuse it; {again}\n",
            output::one_line(&first)
        ));
    }
    if let Some(why) = p.publisher {
        let (what, back) = match why {
            "retired" => (
                format!("{} is retired", s.by),
                format!("restore them (`admin editor restore {}`) or ", s.by),
            ),
            "not a publisher" => (
                format!("{} is no longer a publisher", s.by),
                format!("make them one again (`admin editor set-role {} publisher`) or ", s.by),
            ),
            _ => (format!("{} is not a registered editor", s.by), String::new()),
        };
        text.push_str(&format!(
            "  warning:    it goes out as {}, but {what}, so it cannot go out as them; {back}{again} as a publisher\n",
            s.by
        ));
    }
    text
}

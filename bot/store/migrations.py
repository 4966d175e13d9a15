"""The database schema, as the steps that build it. Step N moves `PRAGMA user_version` from N to N+1.

Never edit a step that has shipped; append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: learners and their progress through the course.
    """
    CREATE TABLE learners (
        user_id     INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        enrolled_at TEXT    NOT NULL
    );
    CREATE TABLE deliveries (
        user_id      INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        item_id      TEXT    NOT NULL,
        delivered_at TEXT    NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE answers (
        user_id     INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        item_id     TEXT    NOT NULL,
        option      INTEGER NOT NULL,
        correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_at TEXT    NOT NULL,
        PRIMARY KEY (user_id, item_id)
    ) WITHOUT ROWID;
    """,
    # 2: the spaced schedule. Each learner's settings and next due time; every message sent (intent first,
    # confirmed after); the memory state of each answered question, first answer and every review.
    """
    ALTER TABLE learners ADD COLUMN timezone      TEXT;
    ALTER TABLE learners ADD COLUMN daily_time    TEXT    NOT NULL DEFAULT '08:00';
    ALTER TABLE learners ADD COLUMN days          INTEGER NOT NULL DEFAULT 127;
    ALTER TABLE learners ADD COLUMN pace          INTEGER NOT NULL DEFAULT 2;
    ALTER TABLE learners ADD COLUMN quiet_start   TEXT    NOT NULL DEFAULT '21:00';
    ALTER TABLE learners ADD COLUMN quiet_end     TEXT    NOT NULL DEFAULT '07:00';
    ALTER TABLE learners ADD COLUMN active        INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE learners ADD COLUMN paused        INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE learners ADD COLUMN paused_until  TEXT;
    ALTER TABLE learners ADD COLUMN snoozed_until TEXT;
    ALTER TABLE learners ADD COLUMN unanswered    INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE learners ADD COLUMN reminded      INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE learners ADD COLUMN next_due_at   TEXT;
    ALTER TABLE learners ADD COLUMN awaiting      TEXT;
    CREATE INDEX learners_due ON learners (next_due_at) WHERE active = 1 AND next_due_at IS NOT NULL;

    CREATE TABLE sends (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        kind        TEXT    NOT NULL CHECK (kind IN ('pull', 'new', 'review', 'pause_notice')),
        item_id     TEXT,
        local_day   TEXT    NOT NULL,
        status      TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'snoozed')),
        created_at  TEXT    NOT NULL,
        sent_at     TEXT,
        answered_at TEXT
    );
    CREATE INDEX sends_by_learner_day ON sends (user_id, local_day);
    CREATE INDEX sends_pending ON sends (status) WHERE status = 'pending';

    ALTER TABLE answers ADD COLUMN rating INTEGER;
    ALTER TABLE answers ADD COLUMN card   TEXT;
    ALTER TABLE answers ADD COLUMN due_at TEXT;

    CREATE TABLE reviews (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        item_id     TEXT    NOT NULL,
        send_id     INTEGER NOT NULL UNIQUE REFERENCES sends(id) ON DELETE CASCADE,
        option      INTEGER NOT NULL,
        correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
        reviewed_at TEXT    NOT NULL,
        rating      INTEGER NOT NULL,
        card        TEXT    NOT NULL,
        due_at      TEXT    NOT NULL
    );
    CREATE INDEX reviews_by_learner ON reviews (user_id, item_id, reviewed_at);

    -- A send that went out delivers its item (the course's progress follows what was really sent).
    CREATE TRIGGER sends_deliver_on_insert AFTER INSERT ON sends
    WHEN NEW.status = 'sent' AND NEW.item_id IS NOT NULL
    BEGIN
        INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (NEW.user_id, NEW.item_id, NEW.sent_at)
        ON CONFLICT DO NOTHING;
    END;
    CREATE TRIGGER sends_deliver_on_confirm AFTER UPDATE OF status ON sends
    WHEN NEW.status = 'sent' AND OLD.status = 'pending' AND NEW.item_id IS NOT NULL AND NEW.kind = 'new'
    BEGIN
        INSERT INTO deliveries (user_id, item_id, delivered_at) VALUES (NEW.user_id, NEW.item_id, NEW.sent_at)
        ON CONFLICT DO NOTHING;
    END;

    -- Anything the learner does with a bite shows they are still there.
    CREATE TRIGGER learner_acts_pull AFTER INSERT ON sends WHEN NEW.kind = 'pull'
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0 WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER learner_acts_answer AFTER INSERT ON answers
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0 WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER learner_acts_review AFTER INSERT ON reviews
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0 WHERE user_id = NEW.user_id;
    END;
    """,
    # 3: look-ups and privacy. The region for resources, discreet mode, and the ids of the bot's own
    # recent messages (nothing else about them) so /hide can delete them; kept 48 hours at most.
    """
    ALTER TABLE learners ADD COLUMN region   TEXT;
    ALTER TABLE learners ADD COLUMN discreet INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE bot_messages (
        chat_id    INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        sent_at    TEXT    NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX bot_messages_by_age ON bot_messages (sent_at);
    """,
    # 4: certificates (the printed name is kept only here, and erased with the learner) and how often each
    # reference card is opened per day (no learner in it).
    """
    CREATE TABLE certificates (
        code         TEXT    PRIMARY KEY,
        serial       INTEGER NOT NULL UNIQUE,
        user_id      INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        name         TEXT,
        completed_on TEXT    NOT NULL,
        issued_at    TEXT    NOT NULL
    );
    CREATE TABLE lookup_counts (
        card_id TEXT    NOT NULL,
        day     TEXT    NOT NULL,
        opened  INTEGER NOT NULL,
        PRIMARY KEY (card_id, day)
    ) WITHOUT ROWID;
    """,
    # 5: a delivery is claimed before its message is sent, by whichever comes first, the tick or /next, so
    # the two can never hand out the same lesson twice; a send that fails gives back the claim it made.
    """
    DROP TRIGGER sends_deliver_on_insert;
    DROP TRIGGER sends_deliver_on_confirm;
    ALTER TABLE sends ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: the health check writes here, so "healthy" means a write went through to the file (disk full, a
    # held write lock and a read-only file all show), not just that SQLite answered a SELECT.
    """
    CREATE TABLE health_probe (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        probed_at TEXT    NOT NULL
    );
    """,
    # 7: certificates keep the hours they state (the course's length can change) and can be revoked when a
    # corrected one is issued; answers are counted per question for the peer pulse, through an index; a review
    # the learner asked for (/review) is marked as practice, so it never uses up the day's scheduled bites.
    """
    ALTER TABLE sends ADD COLUMN practice INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE certificates ADD COLUMN hours REAL;
    UPDATE certificates SET hours = 2.5;
    ALTER TABLE certificates ADD COLUMN revoked_at TEXT;
    CREATE INDEX answers_by_item ON answers (item_id, option);
    """,
    # 8: cohorts for training offices. A cohort has an unguessable invite code, an optional due date and an
    # owner (a Telegram user id, who need not be a learner); a learner belongs to at most one cohort at a time
    # (the member's user id is the key) and joined only after agreeing to what its owner sees.
    # `reminded` is the due-date reminder last dealt with (days before the due date: 7, then 1).
    """
    CREATE TABLE cohorts (
        id         INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
        code       TEXT    NOT NULL UNIQUE,
        owner_id   INTEGER,
        due_on     TEXT,
        created_at TEXT    NOT NULL,
        closed_at  TEXT
    );
    CREATE TABLE cohort_members (
        user_id   INTEGER PRIMARY KEY REFERENCES learners(user_id) ON DELETE CASCADE,
        cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
        joined_at TEXT    NOT NULL,
        reminded  INTEGER
    );
    CREATE INDEX cohort_members_by_cohort ON cohort_members (cohort_id);
    """,
    # 9: the knowledge checks before and after the course, and the 1-5 ratings. Kept to the minimum the
    # outcomes need: whether each check item was answered well (not the option chosen, not when), and each
    # rating; per learner and phase, how far they are (offered, started, skipped, done).
    """
    CREATE TABLE checks (
        user_id    INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        phase      TEXT    NOT NULL CHECK (phase IN ('pre', 'post')),
        status     TEXT    NOT NULL CHECK (status IN ('offered', 'started', 'skipped', 'done')),
        PRIMARY KEY (user_id, phase)
    ) WITHOUT ROWID;
    CREATE TABLE check_answers (
        user_id INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        phase   TEXT    NOT NULL CHECK (phase IN ('pre', 'post')),
        item_id TEXT    NOT NULL,
        correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
        PRIMARY KEY (user_id, phase, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE ratings (
        user_id INTEGER NOT NULL REFERENCES learners(user_id) ON DELETE CASCADE,
        phase   TEXT    NOT NULL CHECK (phase IN ('pre', 'post')),
        scale   TEXT    NOT NULL,
        value   INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
        PRIMARY KEY (user_id, phase, scale)
    ) WITHOUT ROWID;
    """,
    # 10: the journey through time. Whether the quiet hours are the learner's own choice (an explicit daily time
    # may move only the default ones); where they are with setting up, and the schedule being set up (nothing is
    # scheduled until they confirm it); when a typing prompt was asked (it expires); the last time they engaged
    # (auto-pause waits for a week of silence); when an open-ended pause began and how many invitations to come
    # back followed it; and, for 48 hours only, the Telegram id of each scheduled message, so its buttons can be
    # removed once it is answered elsewhere, put off or superseded.
    """
    ALTER TABLE learners ADD COLUMN quiet_chosen   INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE learners ADD COLUMN setup          TEXT CHECK (setup IN ('asked', 'skipped', 'invited'));
    ALTER TABLE learners ADD COLUMN draft          TEXT;
    ALTER TABLE learners ADD COLUMN awaiting_at    TEXT;
    ALTER TABLE learners ADD COLUMN last_active_at TEXT;
    ALTER TABLE learners ADD COLUMN paused_at      TEXT;
    ALTER TABLE learners ADD COLUMN comebacks      INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sends ADD COLUMN message_id INTEGER;
    CREATE INDEX sends_with_buttons ON sends (sent_at) WHERE message_id IS NOT NULL;
    CREATE INDEX sends_by_item ON sends (user_id, item_id);
    CREATE INDEX sends_by_age ON sends (created_at);
    -- Quiet hours other than the default were chosen by the learner.
    UPDATE learners SET quiet_chosen = 1 WHERE quiet_start != '21:00' OR quiet_end != '07:00';

    UPDATE learners SET last_active_at = (
        SELECT MAX(at) FROM (
            SELECT answered_at AS at FROM answers WHERE user_id = learners.user_id
            UNION ALL SELECT reviewed_at FROM reviews WHERE user_id = learners.user_id
            UNION ALL SELECT created_at FROM sends WHERE user_id = learners.user_id AND kind = 'pull'
        )
    );
    -- Learners the bot had paused for good are invited back like anyone paused from now on.
    UPDATE learners SET paused_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'),
        next_due_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    WHERE paused = 1 AND paused_until IS NULL AND timezone IS NOT NULL AND active = 1;

    DROP TRIGGER learner_acts_pull;
    DROP TRIGGER learner_acts_answer;
    DROP TRIGGER learner_acts_review;
    CREATE TRIGGER learner_acts_pull AFTER INSERT ON sends WHEN NEW.kind = 'pull'
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0, last_active_at = NEW.created_at WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER learner_acts_answer AFTER INSERT ON answers
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0, last_active_at = NEW.answered_at WHERE user_id = NEW.user_id;
    END;
    CREATE TRIGGER learner_acts_review AFTER INSERT ON reviews
    BEGIN
        UPDATE learners SET unanswered = 0, reminded = 0, last_active_at = NEW.reviewed_at WHERE user_id = NEW.user_id;
    END;
    -- A learner who skipped setting up (or left it half done) is invited once, a few minutes after their first
    -- lesson: they become due then, and the tick sends the invitation.
    CREATE TRIGGER invite_after_first_lesson AFTER INSERT ON deliveries
    BEGIN
        UPDATE learners SET next_due_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', NEW.delivered_at, '+3 minutes')
        WHERE user_id = NEW.user_id AND setup IN ('asked', 'skipped') AND timezone IS NULL AND next_due_at IS NULL;
    END;
    """,
)

#include "domain/mail/mail.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>
#include <set>

#include "domain/mail/memory_outbox_test_util.h"

namespace pasip::mail {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::MemoryOutbox;

const TimePoint kStart = FromUnixSeconds(1'800'000'000);
const std::string kFrom = "pasip@exemple.fr";

// Answers with the scripted statuses in order (then success), recording what it was given.
class FakeTransport final : public Transport {
 public:
  Status Send(const Message& m, const std::string& from) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(m);
    froms_.push_back(from);
    if (on_send_) on_send_();
    if (script_.empty()) return Ok();
    Status next = script_.front();
    script_.pop_front();
    return next;
  }

  void Then(Status s) { script_.push_back(std::move(s)); }
  void FailAlways(Error e) {
    for (int i = 0; i < 100; ++i) script_.push_back(Fail(e));
  }
  void OnSend(std::function<void()> f) { on_send_ = std::move(f); }
  const std::vector<Message>& sent() const { return sent_; }
  const std::vector<std::string>& froms() const { return froms_; }

 private:
  std::mutex mutex_;
  std::deque<Status> script_;
  std::vector<Message> sent_;
  std::vector<std::string> froms_;
  std::function<void()> on_send_;
};

Message Draft(std::string to = "partenaire@exemple.fr") {
  Message m;
  m.to = std::move(to);
  m.subject = "Nouvelle orientation à traiter";
  m.body = "Une orientation vous attend : https://accueil.exemple.fr/orientations/42\n";
  m.kind = "orientation.nouvelle";
  m.ref = "orientation:42";
  m.created_at = kStart;
  m.next_attempt_at = kStart;
  return m;
}

class DeliveryTest : public ::testing::Test {
 protected:
  Message Enqueued(Message m = Draft()) {
    auto stored = outbox_.Enqueue(m);
    EXPECT_TRUE(stored.has_value());
    return *stored;
  }
  Message Stored(MessageId id) {
    auto found = outbox_.Find(id);
    EXPECT_TRUE(found.has_value() && found->has_value());
    return found->value_or(Message{});
  }
  DeliveryReport Run() {
    auto report = delivery_.RunOnce();
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report.value_or(DeliveryReport{});
  }

  ManualClock clock_{kStart};
  MemoryOutbox outbox_;
  FakeTransport transport_;
  Delivery delivery_{outbox_, transport_, clock_, kFrom};
};

TEST(MessageState, NamesRoundTrip) {
  for (MessageState s : {MessageState::kPending, MessageState::kSending, MessageState::kSent,
                         MessageState::kFailed}) {
    EXPECT_EQ(ParseMessageState(MessageStateName(s)), s);
  }
  EXPECT_EQ(MessageStateName(MessageState::kPending), "attente");
  EXPECT_EQ(MessageStateName(MessageState::kSending), "envoi");
  EXPECT_EQ(MessageStateName(MessageState::kSent), "envoye");
  EXPECT_EQ(MessageStateName(MessageState::kFailed), "echec");
  EXPECT_EQ(ParseMessageState("envoyé"), std::nullopt);
  EXPECT_EQ(ParseMessageState(""), std::nullopt);
}

TEST(MessageIdHeader, NamesTheMessageAndItsCreation) {
  Message m = Draft();
  m.id = 42;
  EXPECT_EQ(MessageIdHeader(m), "<pasip-42-1800000000@pasip>");
  m.attempts = 3;
  m.state = MessageState::kSending;
  m.last_error = "délai dépassé";
  EXPECT_EQ(MessageIdHeader(m), "<pasip-42-1800000000@pasip>");
}

TEST(Backoff, DoublesFromOneMinuteUpToAnHour) {
  EXPECT_EQ(Delivery::Backoff(1), minutes(1));
  EXPECT_EQ(Delivery::Backoff(2), minutes(2));
  EXPECT_EQ(Delivery::Backoff(3), minutes(4));
  EXPECT_EQ(Delivery::Backoff(6), minutes(32));
  EXPECT_EQ(Delivery::Backoff(7), hours(1));
  EXPECT_EQ(Delivery::Backoff(Delivery::kMaxAttempts), hours(1));
  EXPECT_EQ(Delivery::Backoff(1000), hours(1));
  EXPECT_EQ(Delivery::Backoff(0), minutes(1));
}

TEST_F(DeliveryTest, SendsWhatIsDueAndMarksItSent) {
  const Message m = Enqueued();
  clock_.Advance(seconds(5));
  const DeliveryReport report = Run();
  EXPECT_EQ(report.sent, 1);
  EXPECT_EQ(report.retried, 0);
  EXPECT_EQ(report.failed, 0);
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(transport_.sent()[0].to, "partenaire@exemple.fr");
  EXPECT_EQ(transport_.sent()[0].subject, m.subject);
  EXPECT_EQ(transport_.froms()[0], kFrom);
  const Message stored = Stored(m.id);
  EXPECT_EQ(stored.state, MessageState::kSent);
  EXPECT_EQ(stored.sent_at, kStart + seconds(5));
  EXPECT_EQ(stored.lease_until, std::nullopt);
  EXPECT_EQ(stored.attempts, 1);

  EXPECT_EQ(Run().sent, 0);
  EXPECT_EQ(transport_.sent().size(), 1u);
}

TEST_F(DeliveryTest, WaitsForNextAttemptAt) {
  Message later = Draft();
  later.next_attempt_at = kStart + minutes(10);
  Enqueued(later);
  EXPECT_EQ(Run().sent, 0);
  clock_.Advance(minutes(10));
  EXPECT_EQ(Run().sent, 1);
}

TEST_F(DeliveryTest, RetriesWithBackoffAfterAPassingFailure) {
  const Message m = Enqueued();
  transport_.Then(Fail(Unavailable("Serveur de courrier injoignable.")));
  transport_.Then(Fail(Unavailable("Serveur de courrier injoignable.")));

  DeliveryReport report = Run();
  EXPECT_EQ(report.retried, 1);
  EXPECT_EQ(report.sent, 0);
  Message stored = Stored(m.id);
  EXPECT_EQ(stored.state, MessageState::kPending);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.next_attempt_at, kStart + minutes(1));
  EXPECT_EQ(stored.last_error, "Serveur de courrier injoignable.");

  clock_.Advance(seconds(59));
  EXPECT_EQ(Run().retried, 0);
  EXPECT_EQ(transport_.sent().size(), 1u);

  clock_.Advance(seconds(1));
  EXPECT_EQ(Run().retried, 1);
  stored = Stored(m.id);
  EXPECT_EQ(stored.attempts, 2);
  EXPECT_EQ(stored.next_attempt_at, kStart + minutes(1) + minutes(2));

  clock_.Advance(minutes(2));
  EXPECT_EQ(Run().sent, 1);
  stored = Stored(m.id);
  EXPECT_EQ(stored.state, MessageState::kSent);
  EXPECT_EQ(stored.attempts, 3);
  EXPECT_EQ(transport_.sent().size(), 3u);
}

TEST_F(DeliveryTest, ARefusedAddressFailsAtOnce) {
  const Message m = Enqueued(Draft("inconnu@exemple.fr"));
  transport_.Then(Fail(InvalidArgument("Adresse refusée par le serveur de courrier.")));
  const DeliveryReport report = Run();
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.retried, 0);
  const Message stored = Stored(m.id);
  EXPECT_EQ(stored.state, MessageState::kFailed);
  EXPECT_EQ(stored.last_error, "Adresse refusée par le serveur de courrier.");

  clock_.Advance(hours(24));
  EXPECT_EQ(Run().sent, 0);
  EXPECT_EQ(transport_.sent().size(), 1u);
}

TEST_F(DeliveryTest, GivesUpAfterMaxAttempts) {
  const Message m = Enqueued();
  transport_.FailAlways(Unavailable("Délai dépassé."));
  int retried = 0;
  int failed = 0;
  for (int i = 0; i < 2 * Delivery::kMaxAttempts; ++i) {
    const DeliveryReport report = Run();
    retried += report.retried;
    failed += report.failed;
    clock_.Advance(hours(1));
  }
  EXPECT_EQ(transport_.sent().size(), static_cast<std::size_t>(Delivery::kMaxAttempts));
  EXPECT_EQ(retried, Delivery::kMaxAttempts - 1);
  EXPECT_EQ(failed, 1);
  const Message stored = Stored(m.id);
  EXPECT_EQ(stored.state, MessageState::kFailed);
  EXPECT_EQ(stored.attempts, Delivery::kMaxAttempts);
  EXPECT_EQ(stored.last_error, "Délai dépassé.");
}

TEST_F(DeliveryTest, AMessageLeftByACrashedSenderIsSentOnceWhenItsLeaseExpires) {
  const Message m = Enqueued();
  // A sender claimed it and died before marking anything.
  auto taken = outbox_.Claim(clock_.Now(), minutes(5), Delivery::kBatch);
  ASSERT_TRUE(taken.has_value());
  ASSERT_EQ(taken->size(), 1u);

  EXPECT_EQ(Run().sent, 0);  // still leased to the dead sender
  clock_.Advance(minutes(5));
  EXPECT_EQ(Run().sent, 0);  // the lease ends now; it is taken once it has passed
  EXPECT_EQ(Stored(m.id).state, MessageState::kSending);
  EXPECT_EQ(Stored(m.id).attempts, 0);

  clock_.Advance(seconds(1));
  EXPECT_EQ(Run().sent, 1);
  EXPECT_EQ(Stored(m.id).state, MessageState::kSent);
  clock_.Advance(hours(2));
  EXPECT_EQ(Run().sent, 0);
  ASSERT_EQ(transport_.sent().size(), 1u);
  EXPECT_EQ(MessageIdHeader(transport_.sent()[0]), MessageIdHeader(m));
}

TEST_F(DeliveryTest, MessageIdIsStableAcrossAttempts) {
  const Message m = Enqueued();
  transport_.Then(Fail(Unavailable("Délai dépassé.")));
  Run();
  clock_.Advance(minutes(1));
  Run();
  ASSERT_EQ(transport_.sent().size(), 2u);
  EXPECT_EQ(MessageIdHeader(transport_.sent()[0]), MessageIdHeader(transport_.sent()[1]));
  EXPECT_EQ(MessageIdHeader(transport_.sent()[1]),
            "<pasip-" + std::to_string(m.id) + "-1800000000@pasip>");
}

TEST_F(DeliveryTest, SendsAtMostABatchPerRun) {
  for (int i = 0; i < Delivery::kBatch + 10; ++i) Enqueued();
  EXPECT_EQ(Run().sent, Delivery::kBatch);
  EXPECT_EQ(Run().sent, 10);
  EXPECT_EQ(transport_.sent().size(), static_cast<std::size_t>(Delivery::kBatch + 10));
}

TEST_F(DeliveryTest, OneFailureDoesNotStopTheBatch) {
  const Message a = Enqueued(Draft("a@exemple.fr"));
  const Message b = Enqueued(Draft("b@exemple.fr"));
  const Message c = Enqueued(Draft("c@exemple.fr"));
  transport_.Then(Ok());
  transport_.Then(Fail(InvalidArgument("Adresse refusée.")));
  transport_.Then(Fail(Unavailable("Boîte pleine, réessayer plus tard.")));
  const DeliveryReport report = Run();
  EXPECT_EQ(report.sent, 1);
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.retried, 1);
  EXPECT_EQ(Stored(a.id).state, MessageState::kSent);
  EXPECT_EQ(Stored(b.id).state, MessageState::kFailed);
  EXPECT_EQ(Stored(c.id).state, MessageState::kPending);
}

// A slow server: the run stops before its lease could run out mid-send, and the rest is
// taken again once the lease expires, each message being sent exactly once.
TEST_F(DeliveryTest, NeverSendsPastItsLease) {
  for (int i = 0; i < 20; ++i) Enqueued();
  transport_.OnSend([this] { clock_.Advance(seconds(30)); });
  const DeliveryReport first = Run();
  EXPECT_GT(first.sent, 0);
  EXPECT_LT(first.sent, 20);
  EXPECT_LE(clock_.Now(), kStart + minutes(5));
  EXPECT_EQ(Run().sent, 0);  // the rest is still under this run's lease

  int total = first.sent;
  for (int i = 0; i < 20 && total < 20; ++i) {
    clock_.Advance(minutes(5));
    total += Run().sent;
  }
  EXPECT_EQ(total, 20);
  std::set<MessageId> ids;
  for (const Message& m : transport_.sent()) ids.insert(m.id);
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(transport_.sent().size(), 20u);
}

// An outbox whose writes fail, to check that RunOnce reports it.
class BrokenOutbox final : public Outbox {
 public:
  bool claim_fails = false;
  Result<Message> Enqueue(const Message& m) override { return inner.Enqueue(m); }
  Result<std::vector<Message>> Claim(TimePoint now, seconds lease, int limit) override {
    if (claim_fails) return Fail(Unavailable("Base de données indisponible."));
    return inner.Claim(now, lease, limit);
  }
  Status MarkSent(MessageId, TimePoint) override {
    return Fail(Unavailable("Base de données indisponible."));
  }
  Status MarkRetry(MessageId id, TimePoint next, const std::string& error) override {
    return inner.MarkRetry(id, next, error);
  }
  Status MarkFailed(MessageId id, const std::string& error) override {
    return inner.MarkFailed(id, error);
  }
  Result<std::optional<Message>> Find(MessageId id) override { return inner.Find(id); }
  Result<std::vector<Message>> Recent(const std::string& ref, int limit) override {
    return inner.Recent(ref, limit);
  }
  Result<std::int64_t> Prune(TimePoint before) override { return inner.Prune(before); }
  MemoryOutbox inner;
};

TEST(DeliveryErrors, AnOutboxFailureAbortsTheRun) {
  ManualClock clock(kStart);
  BrokenOutbox outbox;
  FakeTransport transport;
  Delivery delivery(outbox, transport, clock, kFrom);
  ASSERT_TRUE(outbox.Enqueue(Draft()).has_value());
  ASSERT_TRUE(outbox.Enqueue(Draft()).has_value());

  auto report = delivery.RunOnce();
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(transport.sent().size(), 1u);  // stopped at the first failed mark

  outbox.claim_fails = true;
  report = delivery.RunOnce();
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().message, "Base de données indisponible.");
}

TEST(MemoryOutbox, FollowsThePortContract) {
  MemoryOutbox outbox;
  Message a = Draft();
  a.ref = "orientation:1";
  a.created_at = kStart + std::chrono::milliseconds(1500);  // kept to the second
  Message b = Draft();
  b.ref = "orientation:2";
  b.created_at = kStart + minutes(1);
  const Message sa = *outbox.Enqueue(a);
  const Message sb = *outbox.Enqueue(b);
  EXPECT_EQ(sa.id, 1);
  EXPECT_EQ(sb.id, 2);
  EXPECT_EQ(sa.state, MessageState::kPending);
  EXPECT_EQ(sa.attempts, 0);
  EXPECT_EQ(sa.created_at, kStart + seconds(1));
  EXPECT_EQ(**outbox.Find(sa.id), sa);

  auto recent = outbox.Recent("", 10);
  ASSERT_TRUE(recent.has_value());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].id, sb.id);
  recent = outbox.Recent("orientation:1", 10);
  ASSERT_EQ(recent->size(), 1u);
  EXPECT_EQ((*recent)[0].id, sa.id);
  EXPECT_EQ(outbox.Recent("", 1)->size(), 1u);

  EXPECT_EQ(outbox.MarkSent(99, kStart).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outbox.MarkRetry(99, kStart, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outbox.MarkFailed(99, "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*outbox.Find(99), std::nullopt);

  auto claimed = outbox.Claim(kStart, minutes(5), 1);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].state, MessageState::kSending);
  EXPECT_EQ((*claimed)[0].lease_until, kStart + minutes(5));
  ASSERT_TRUE(outbox.MarkSent(sa.id, kStart).has_value());
  EXPECT_EQ((*outbox.Find(sa.id))->attempts, 1);
  EXPECT_EQ(outbox.Claim(kStart, minutes(5), 10)->size(), 1u);  // b
  EXPECT_TRUE(outbox.Claim(kStart + minutes(5), minutes(5), 10)->empty());
  EXPECT_EQ(outbox.Claim(kStart + minutes(5) + seconds(1), minutes(5), 10)->size(), 1u);
  ASSERT_TRUE(outbox.MarkFailed(sb.id, "refusé").has_value());
  EXPECT_EQ((*outbox.Find(sb.id))->attempts, 1);
  EXPECT_EQ((*outbox.Find(sb.id))->last_error, "refusé");

  EXPECT_EQ(*outbox.Prune(kStart + minutes(1)), 1);  // only a is older
  EXPECT_EQ(*outbox.Find(sa.id), std::nullopt);
  EXPECT_EQ(*outbox.Prune(kStart + minutes(2)), 1);
  EXPECT_TRUE(outbox.All().empty());
}

}  // namespace
}  // namespace pasip::mail

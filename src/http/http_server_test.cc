#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "http/message.h"
#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace pasip::http {
namespace {

using namespace std::chrono_literals;
using pasip::testing::HttpClient;
using pasip::testing::HttpResponse;

// ---- FormData ----

TEST(FormDataTest, EmptyStringGivesNoPairs) {
  Result<FormData> form = FormData::Parse("");
  ASSERT_TRUE(form.has_value());
  EXPECT_TRUE(form->pairs().empty());
}

TEST(FormDataTest, DecodesPercentAndPlus) {
  Result<FormData> form = FormData::Parse("nom=Ana%C3%AFs+Dupont&ville=Saint-%C3%89tienne&x=a%2Bb");
  ASSERT_TRUE(form.has_value()) << form.error().ToString();
  EXPECT_EQ(form->Get("nom"), "Anaïs Dupont");
  EXPECT_EQ(form->Get("ville"), "Saint-Étienne");
  EXPECT_EQ(form->Get("x"), "a+b");
  EXPECT_EQ(form->Get("absent"), std::nullopt);
  EXPECT_EQ(form->GetOr("absent", "défaut"), "défaut");
  EXPECT_TRUE(form->Has("nom"));
}

TEST(FormDataTest, KeepsRepeatedKeysInOrder) {
  Result<FormData> form = FormData::Parse("theme=logement&theme=emploi&autre=1&theme=sante");
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->Get("theme"), "logement");
  EXPECT_EQ(form->GetAll("theme"), (std::vector<std::string>{"logement", "emploi", "sante"}));
  EXPECT_TRUE(form->GetAll("absent").empty());
}

TEST(FormDataTest, NamesWithoutValueAreEmptyAndNamelessPairsDropped) {
  Result<FormData> form = FormData::Parse("a&b=&=c&&d=1=2");
  ASSERT_TRUE(form.has_value());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", ""}, {"b", ""}, {"d", "1=2"}};
  EXPECT_EQ(form->pairs(), expected);
}

TEST(FormDataTest, RejectsMalformedPercentEncoding) {
  for (std::string_view input : {"%", "%G1", "a%4=1", "a=%", "a=%4", "a=%zz", "a=1&b=%4"}) {
    Result<FormData> form = FormData::Parse(input);
    ASSERT_FALSE(form.has_value()) << input;
    EXPECT_EQ(form.error().code, ErrorCode::kInvalidArgument) << input;
    EXPECT_EQ(form.error().message, "Paramètres mal formés.") << input;
  }
  EXPECT_EQ(FormData::Parse("a=1&b=%4").error().field, "b");
  EXPECT_EQ(FormData::Parse("%G1=1").error().field, "");
}

TEST(FormDataTest, RejectsNulAndInvalidUtf8) {
  Result<FormData> nul = FormData::Parse("a=x%00y");
  ASSERT_FALSE(nul.has_value());
  EXPECT_EQ(nul.error().field, "a");

  Result<FormData> latin1 = FormData::Parse("a=%FF%FE");
  ASSERT_FALSE(latin1.has_value());
  EXPECT_EQ(latin1.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(latin1.error().field, "a");

  EXPECT_FALSE(FormData::Parse("%C3=1").has_value());      // truncated sequence in a name
  EXPECT_FALSE(FormData::Parse("a=%E9t%E9").has_value());  // Latin-1 "été"
}

// ---- Request, Response, helpers ----

TEST(MessageTest, MethodNamesRoundTrip) {
  for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch,
                   Method::kDelete, Method::kOptions}) {
    EXPECT_EQ(ParseMethod(MethodName(m)), m);
  }
  EXPECT_EQ(ParseMethod("get"), Method::kOther);
  EXPECT_EQ(ParseMethod("BREW"), Method::kOther);
}

TEST(MessageTest, HeadersIgnoreCase) {
  Request request;
  request.headers.emplace("Content-Type", "text/html");
  EXPECT_EQ(request.Header("content-type"), "text/html");
  EXPECT_EQ(request.Header("CONTENT-TYPE"), "text/html");
  EXPECT_EQ(request.Header("Accept"), "");
}

TEST(MessageTest, ParsesCookies) {
  Request request;
  request.headers.emplace("Cookie", "a=1; session=abc=def;  empty=; quoted=\"q\"");
  EXPECT_EQ(request.Cookie("a"), "1");
  EXPECT_EQ(request.Cookie("session"), "abc=def");
  EXPECT_EQ(request.Cookie("empty"), "");
  EXPECT_EQ(request.Cookie("quoted"), "q");
  EXPECT_EQ(request.Cookie("Session"), "");  // cookie names are case-sensitive
  EXPECT_EQ(request.Cookie("absent"), "");
}

TEST(MessageTest, WantsJson) {
  Request api;
  api.path = "/api/v1/users";
  EXPECT_TRUE(api.WantsJson());
  Request page;
  page.path = "/usagers";
  page.headers.emplace("Accept", "text/html,application/xhtml+xml");
  EXPECT_FALSE(page.WantsJson());
  Request json;
  json.path = "/usagers";
  json.headers.emplace("accept", "text/html, Application/JSON;q=0.9");
  EXPECT_TRUE(json.WantsJson());
}

TEST(MessageTest, ResponseHelpers) {
  Response html = Response::Html(200, "<p>Bonjour</p>");
  EXPECT_EQ(html.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Response::Json(201, "{}").Header("Content-Type"), "application/json");
  Response redirect = Response::Redirect("/connexion");
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.Header("Location"), "/connexion");
  EXPECT_EQ(Response::NoContent().status, 204);

  Response r;
  r.SetHeader("X-A", "1");
  r.SetHeader("x-a", "2");
  EXPECT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.Header("X-A"), "2");

  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

TEST(MessageTest, DecodesPaths) {
  EXPECT_EQ(DecodePath("/a%20b/caf%C3%A9+x").value(), "/a b/café+x");
  EXPECT_FALSE(DecodePath("/a%00b").has_value());
  EXPECT_FALSE(DecodePath("/a%2").has_value());
  EXPECT_FALSE(DecodePath("/a%GG").has_value());
  EXPECT_FALSE(DecodePath("/%FF").has_value());
}

// ---- Router ----

Response Named(std::string name) { return Response::Text(200, std::move(name)); }

TEST(RouterTest, MatchesLiteralAndParamSegments) {
  Router router;
  router.Add(Method::kGet, "/users/{id}", RouteKind::kApi, "users.read",
             [](Request&) { return Named("param"); });
  router.Add(Method::kGet, "/users/new", RouteKind::kPage, "users.create",
             [](Request&) { return Named("literal"); });
  router.Add(Method::kGet, "/users/{id}/files/{file}", RouteKind::kApi, "files.read",
             [](Request&) { return Named("file"); });

  Match literal = router.Find(Method::kGet, "/users/new");
  ASSERT_NE(literal.route, nullptr);
  EXPECT_EQ(literal.route->pattern, "/users/new");  // the literal wins though added later
  EXPECT_TRUE(literal.params.empty());

  Match param = router.Find(Method::kGet, "/users/42");
  ASSERT_NE(param.route, nullptr);
  EXPECT_EQ(param.route->pattern, "/users/{id}");
  EXPECT_EQ(param.params.at("id"), "42");

  Match two = router.Find(Method::kGet, "/users/7/files/a.pdf");
  ASSERT_NE(two.route, nullptr);
  EXPECT_EQ(two.params.at("id"), "7");
  EXPECT_EQ(two.params.at("file"), "a.pdf");

  EXPECT_EQ(router.Find(Method::kGet, "/users/").route, nullptr);  // a param is never empty
  EXPECT_EQ(router.Find(Method::kGet, "/users").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/users/7/files").route, nullptr);
  EXPECT_FALSE(router.Find(Method::kGet, "/ailleurs").path_exists);
}

TEST(RouterTest, LiteralPreferredSegmentBySegment) {
  Router router;
  router.Add(Method::kGet, "/{a}/b", RouteKind::kApi, "x", [](Request&) { return Named("1"); });
  router.Add(Method::kGet, "/a/{b}", RouteKind::kApi, "x", [](Request&) { return Named("2"); });
  Match match = router.Find(Method::kGet, "/a/b");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/a/{b}");
}

TEST(RouterTest, HeadUsesGetAndOtherMethodsGive405) {
  Router router;
  router.Add(Method::kGet, "/items/{id}", RouteKind::kApi, "items.read",
             [](Request&) { return Named("get"); });
  router.Add(Method::kDelete, "/items/{id}", RouteKind::kApi, "items.delete",
             [](Request&) { return Named("delete"); });

  Match head = router.Find(Method::kHead, "/items/3");
  ASSERT_NE(head.route, nullptr);
  EXPECT_EQ(head.route->method, Method::kGet);

  Match post = router.Find(Method::kPost, "/items/3");
  EXPECT_EQ(post.route, nullptr);
  EXPECT_TRUE(post.path_exists);
  EXPECT_EQ(router.AllowedMethods("/items/3"),
            (std::vector<Method>{Method::kGet, Method::kHead, Method::kDelete}));
  EXPECT_TRUE(router.AllowedMethods("/nothing").empty());
}

TEST(RouterTest, TrailingSlashIsExactAndRootMatchesRoot) {
  Router router;
  router.Add(Method::kGet, "/", RouteKind::kPage, "home", [](Request&) { return Named("/"); });
  router.Add(Method::kGet, "/x", RouteKind::kPage, "x", [](Request&) { return Named("x"); });
  EXPECT_NE(router.Find(Method::kGet, "/").route, nullptr);
  EXPECT_NE(router.Find(Method::kGet, "/x").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/x/").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "x").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "//").route, nullptr);
}

// ---- Server, through a real socket ----

std::string JoinMethods(const std::vector<Method>& methods) {
  std::string out;
  for (Method m : methods) {
    if (!out.empty()) out += ", ";
    out += MethodName(m);
  }
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(Method::kGet, "/", RouteKind::kPage, "home",
                [](Request&) { return Response::Html(200, "accueil"); });
    router_.Add(Method::kGet, "/users/new", RouteKind::kPage, "users.create",
                [](Request&) { return Response::Text(200, "nouveau"); });
    router_.Add(Method::kGet, "/users/{id}", RouteKind::kApi, "users.read", [](Request& r) {
      return Response::Json(200, "{\"id\":\"" + std::string(r.PathParam("id")) + "\"}");
    });
    router_.Add(Method::kPost, "/echo", RouteKind::kApi, "echo",
                [](Request& r) { return Response::Text(200, r.body); });
    router_.Add(Method::kGet, "/query", RouteKind::kApi, "query", [](Request& r) {
      std::string all;
      for (const std::string& b : r.query.GetAll("b")) all += (all.empty() ? "" : ",") + b;
      return Response::Text(200, "a=" + r.query.GetOr("a") + "|b=" + all);
    });
    router_.Add(Method::kGet, "/path/{p}", RouteKind::kApi, "path", [](Request& r) {
      return Response::Text(200, r.path + "|" + std::string(r.PathParam("p")));
    });
    router_.Add(Method::kGet, "/id", RouteKind::kApi, "id",
                [](Request& r) { return Response::Text(200, r.request_id); });
    router_.Add(Method::kGet, "/boom", RouteKind::kApi, "boom",
                [](Request&) -> Response { throw std::runtime_error("panne simulée"); });
    router_.Add(Method::kGet, "/cookies", RouteKind::kPage, "cookies", [](Request&) {
      Response r = Response::Text(200, "ok");
      r.headers.emplace("Set-Cookie", "a=1; Path=/");
      r.headers.emplace("Set-Cookie", "b=2; Path=/");
      return r;
    });
    router_.Add(Method::kGet, "/slow", RouteKind::kApi, "slow", [this](Request&) {
      slow_entered_.set_value();
      std::this_thread::sleep_for(500ms);
      return Response::Text(200, "fini");
    });
  }

  ~ServerTest() override {
    if (server_) server_->Stop();
  }

  Response Dispatch(Request& request) {
    Match match = router_.Find(request.method, request.path);
    if (match.route == nullptr) {
      if (!match.path_exists) return Response::Text(404, "introuvable");
      Response r = Response::Text(405, "méthode non permise");
      r.SetHeader("Allow", JoinMethods(router_.AllowedMethods(request.path)));
      return r;
    }
    request.path_params = std::move(match.params);
    request.route = match.route->pattern;
    return match.route->handler(request);
  }

  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    server_ = std::make_unique<Server>(
        options, [this](Request& r) { return Dispatch(r); },
        [this](const Exchange& e) {
          std::lock_guard lock(exchanges_mutex_);
          exchanges_.push_back(e.status);
        });
    Status started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    ASSERT_NE(server_->port(), 0);
  }

  HttpClient Client() { return HttpClient("127.0.0.1", server_->port()); }

  std::vector<int> ObservedStatuses() {
    std::lock_guard lock(exchanges_mutex_);
    return exchanges_;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::promise<void> slow_entered_;
  std::mutex exchanges_mutex_;
  std::vector<int> exchanges_;
};

bool IsProblem(const HttpResponse& r, int status) {
  return r.status == status && r.Header("Content-Type") == "application/problem+json" &&
         r.body.find("\"status\":" + std::to_string(status)) != std::string::npos &&
         r.body.find("\"type\":\"about:blank\"") != std::string::npos;
}

TEST_F(ServerTest, RoutesWithPathParams) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> home = client.Get("/");
  ASSERT_TRUE(home.has_value()) << home.error().message;
  EXPECT_EQ(home->status, 200);
  EXPECT_EQ(home->body, "accueil");
  EXPECT_EQ(home->Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(home->Header("Content-Length"), "7");
  EXPECT_TRUE(home->HasHeader("Date"));

  EXPECT_EQ(client.Get("/users/42")->body, "{\"id\":\"42\"}");
  EXPECT_EQ(client.Get("/users/new")->body, "nouveau");
  EXPECT_EQ(client.Get("/path/caf%C3%A9%20noir")->body, "/path/café noir|café noir");
}

TEST_F(ServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  HttpClient client = Client();
  EXPECT_EQ(client.Get("/nulle-part")->status, 404);
  EXPECT_EQ(client.Get("/users/")->status, 404);
  Result<HttpResponse> r = client.Send("DELETE", "/users/42");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD");
}

TEST_F(ServerTest, ParsesQuery) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> r = client.Get("/query?a=x%20y+z&b=1&b=%C3%A9t%C3%A9");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a=x y z|b=1,été");
  EXPECT_EQ(client.Get("/query")->body, "a=|b=");
}

TEST_F(ServerTest, MalformedQueryOrPathIs400) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> query = client.Get("/query?a=%G1");
  ASSERT_TRUE(query.has_value());
  EXPECT_TRUE(IsProblem(*query, 400)) << query->body;
  EXPECT_NE(query->body.find("Paramètres mal formés."), std::string::npos);

  EXPECT_TRUE(IsProblem(*Client().Get("/query?a=%FF"), 400));
  EXPECT_TRUE(IsProblem(*Client().Get("/path/a%00b"), 400));
  EXPECT_TRUE(IsProblem(*Client().Get("/path/a%4"), 400));
}

TEST_F(ServerTest, MalformedRequestIs400ThenClose) {
  StartServer();
  HttpClient client = Client();
  Result<std::string> raw = client.SendRaw("N'IMPORTE QUOI\r\n\r\n");
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << *raw;
  EXPECT_NE(raw->find("application/problem+json"), std::string::npos);

  Result<std::string> no_slash = client.SendRaw("GET foo HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(no_slash.has_value());
  EXPECT_EQ(no_slash->rfind("HTTP/1.1 400", 0), 0u) << *no_slash;
}

// RFC 9112 §6.3: a body the server cannot delimit is refused, so that its bytes are never
// read as a second (smuggled) request.
TEST_F(ServerTest, UnsupportedTransferEncodingIs400AndNothingIsSmuggled) {
  StartServer();
  HttpClient client = Client();
  const std::string smuggled = "GET /nulle-part HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string encoding : {"xchunked", "chunked, gzip", "gzip"}) {
    Result<std::string> raw = client.SendRaw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + encoding + "\r\n\r\n" + smuggled);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->rfind("HTTP/1.1 400", 0), 0u) << encoding << "\n" << *raw;
    EXPECT_EQ(raw->find("404"), std::string::npos) << "requête passée en fraude : " << *raw;
  }
  Result<std::string> http10 =
      client.SendRaw("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(http10.has_value());
  EXPECT_NE(http10->find(" 400 "), std::string::npos) << *http10;
}

TEST_F(ServerTest, Http11WithoutHostIs400) {
  StartServer();
  HttpClient client = Client();
  Result<std::string> raw = client.SendRaw("GET /users/x HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->rfind("HTTP/1.1 400", 0), 0u) << *raw;
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreClosedAtOnce) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  HttpClient a = Client();
  HttpClient b = Client();
  ASSERT_TRUE(a.Connect());
  ASSERT_TRUE(b.Connect());
  ASSERT_TRUE(a.Get("/users/a").has_value());  // both are served and stay open
  ASSERT_TRUE(b.Get("/users/b").has_value());
  HttpClient c = Client();
  Result<std::string> refused = c.SendRaw("GET /users/c HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(!refused.has_value() || refused->empty()) << *refused;
  a.Close();
  for (int i = 0; i < 50; ++i) {  // the freed slot becomes available
    Result<HttpResponse> r = Client().Get("/users/d");
    if (r.has_value() && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "la place libérée n'a pas été rendue";
}

TEST_F(ServerTest, EchoesBodyAndAnswers100Continue) {
  StartServer();
  HttpClient client = Client();
  EXPECT_EQ(client.Send("POST", "/echo", {}, "bonjour")->body, "bonjour");

  ASSERT_TRUE(
      client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                   "Content-Length: 5\r\n\r\nsalut"));
  Result<HttpResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "salut");
}

TEST_F(ServerTest, AnnouncedBodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  HttpClient client = Client();
  ASSERT_TRUE(client.Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
  Result<HttpResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(IsProblem(*r, 413)) << r->body;
  EXPECT_EQ(r->Header("Connection"), "close");

  EXPECT_EQ(Client().Send("POST", "/echo", {}, std::string(1024, 'x'))->status, 200);
}

TEST_F(ServerTest, ActualChunkedBodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  HttpClient client = Client();
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) request += "100\r\n" + std::string(256, 'a') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.Write(request));
  Result<HttpResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(IsProblem(*r, 413)) << r->body;
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  StartServer();  // 16 KiB of headers by default
  HttpClient client = Client();
  Result<HttpResponse> r = client.Get("/", {{"X-Grand", std::string(17 * 1024, 'a')}});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(IsProblem(*r, 431)) << r->body;
  EXPECT_EQ(Client().Get("/", {{"X-Moyen", std::string(8 * 1024, 'a')}})->status, 200);
}

TEST_F(ServerTest, SlowRequestIs408ThenClose) {
  ServerOptions options;
  options.read_timeout = 300ms;
  StartServer(options);
  HttpClient client = Client();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Write("GET / HTTP/1.1\r\nHost: x\r\n"));  // headers never finished
  Result<HttpResponse> r = client.ReadResponse();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(IsProblem(*r, 408)) << r->body;
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_FALSE(client.connected());  // Connection: close
}

TEST_F(ServerTest, SilentConnectionClosedWithoutAnswer) {
  ServerOptions options;
  options.read_timeout = 200ms;
  options.idle_timeout = 300ms;
  StartServer(options);
  HttpClient fresh = Client();
  ASSERT_TRUE(fresh.Connect());
  EXPECT_EQ(fresh.ReadUntilClose().value(), "");

  HttpClient kept = Client();
  ASSERT_EQ(kept.Get("/")->status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(kept.ReadUntilClose().value(), "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);  // idle_timeout, not read_timeout
}

TEST_F(ServerTest, KeepAliveReusesTheConnection) {
  StartServer();
  HttpClient client = Client();
  EXPECT_EQ(client.Get("/")->status, 200);
  EXPECT_EQ(client.Get("/users/1")->status, 200);
  EXPECT_EQ(client.Send("POST", "/echo", {}, "x")->body, "x");
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_TRUE(client.connected());
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  HttpClient client = Client();
  ASSERT_TRUE(
      client.Write("GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /users/2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.ReadResponse()->body, "{\"id\":\"1\"}");
  EXPECT_EQ(client.ReadResponse()->body, "{\"id\":\"2\"}");
}

TEST_F(ServerTest, ConnectionCloseAndHttp10AreHonoured) {
  StartServer();
  HttpClient client = Client();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string raw = client.ReadUntilClose().value();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // closed by the server, no timeout
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(raw.substr(raw.size() - 7), "accueil");

  ASSERT_TRUE(client.Write("GET / HTTP/1.0\r\n\r\n"));
  raw = client.ReadUntilClose().value();
  EXPECT_EQ(raw.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << raw;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> head = client.Send("HEAD", "/users/12345");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("Content-Length"), "14");  // {"id":"12345"}
  // No stray body bytes on the connection: the next answer parses cleanly.
  EXPECT_EQ(client.Get("/")->body, "accueil");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, RequestIdEchoedWhenSaneElseGenerated) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> sane = client.Get("/id", {{"X-Request-Id", "abc-123_x.Y"}});
  EXPECT_EQ(sane->Header("X-Request-Id"), "abc-123_x.Y");
  EXPECT_EQ(sane->body, "abc-123_x.Y");

  Result<HttpResponse> absent = client.Get("/id");
  const std::string generated = absent->Header("X-Request-Id");
  // Generated ids: 8 random characters per thread, '-', a counter.
  const auto looks_generated = [](const std::string& id) {
    return id.size() >= 10 && id[8] == '-' &&
           id.find_first_not_of("0123456789", 9) == std::string::npos;
  };
  EXPECT_TRUE(looks_generated(generated)) << generated;
  EXPECT_EQ(absent->body, generated);
  EXPECT_NE(client.Get("/id")->Header("X-Request-Id"), generated);

  for (const std::string& insane :
       {std::string("a b"), std::string("<script>"), std::string(65, 'a'), std::string("é")}) {
    Result<HttpResponse> r = client.Get("/id", {{"X-Request-Id", insane}});
    EXPECT_NE(r->Header("X-Request-Id"), insane);
    EXPECT_TRUE(looks_generated(r->Header("X-Request-Id")));
  }
  EXPECT_TRUE(looks_generated(client.Get("/nulle-part")->Header("X-Request-Id")));
}

TEST_F(ServerTest, HandlerExceptionIs500) {
  StartServer();
  HttpClient client = Client();
  Result<HttpResponse> r = client.Get("/boom", {{"X-Request-Id", "req-boom"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(IsProblem(*r, 500)) << r->body;
  EXPECT_NE(r->body.find("req-boom"), std::string::npos);
  EXPECT_EQ(r->body.find("panne simulée"), std::string::npos);  // internals stay in the log
  EXPECT_EQ(client.Get("/")->status, 200);                      // the connection survives
}

TEST_F(ServerTest, KeepsSeveralSetCookieHeaders) {
  StartServer();
  Result<HttpResponse> r = Client().Get("/cookies");
  EXPECT_EQ(r->HeaderValues("set-cookie"),
            (std::vector<std::string>{"a=1; Path=/", "b=2; Path=/"}));
}

TEST_F(ServerTest, ObserverSeesEveryExchange) {
  StartServer();
  HttpClient client = Client();
  client.Get("/");
  client.Get("/nulle-part");
  client.SendRaw("n'importe quoi\r\n\r\n");
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (ObservedStatuses().size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  std::vector<int> statuses = ObservedStatuses();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 400, 404}));
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinish) {
  StartServer();
  HttpClient idle = Client();
  ASSERT_EQ(idle.Get("/")->status, 200);  // now idle, kept alive

  std::future<Result<HttpResponse>> slow = std::async(std::launch::async, [port = server_->port()] {
    HttpClient client("127.0.0.1", port);
    return client.Get("/slow");
  });
  ASSERT_EQ(slow_entered_.get_future().wait_for(5s), std::future_status::ready);

  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([this] { server_->Stop(); });
  Result<HttpResponse> answer = slow.get();
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "fini");
  EXPECT_EQ(answer->Header("Connection"), "close");
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);  // not the 10 s grace

  // The idle connection was closed too (at once, unless it shared the slow request's thread).
  EXPECT_EQ(idle.ReadUntilClose().value(), "");
  HttpClient late = Client();
  EXPECT_FALSE(late.Connect().has_value());
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, StopClosesIdleConnectionsAtOnce) {
  StartServer();
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<HttpClient>("127.0.0.1", server_->port()));
    ASSERT_EQ(idle.back()->Get("/")->status, 200);
  }
  HttpClient silent = Client();  // connected, never sent a byte
  ASSERT_TRUE(silent.Connect());

  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);  // idle_timeout is 60 s
  for (auto& client : idle) EXPECT_EQ(client->ReadUntilClose().value(), "");
  EXPECT_EQ(silent.ReadUntilClose().value(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(ServerTest, StopGivesUpOnSlowRequestsAfterTheGrace) {
  ServerOptions options;
  options.shutdown_grace = 200ms;
  StartServer(options);
  HttpClient trickling = Client();
  ASSERT_TRUE(trickling.Write("GET / HTTP/1.1\r\nHost: x\r\n"));  // read_timeout is 15 s
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(trickling.ReadUntilClose().value(), "");
}

TEST_F(ServerTest, RunUntilSignalReturnsWhenStopped) {
  StartServer();
  std::thread runner([this] { server_->RunUntilSignal(); });
  std::this_thread::sleep_for(50ms);
  server_->Stop();
  runner.join();
  EXPECT_FALSE(Client().Connect().has_value());
}

TEST(ServerStartTest, FailsWhenThePortIsTaken) {
  // A plain listening socket, without SO_REUSEPORT, holds the port.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  ServerOptions options;
  options.port = ntohs(address.sin_port);
  options.threads = 1;
  Server server(options, [](Request&) { return Response::NoContent(); });
  Status started = server.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().message.find("déjà utilisée"), std::string::npos)
      << started.error().message;
  ::close(fd);
}

TEST(ServerStartTest, StartsOnlyOnce) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  Server server(options, [](Request&) { return Response::NoContent(); });
  ASSERT_TRUE(server.Start().has_value());
  EXPECT_EQ(server.Start().error().code, ErrorCode::kFailedPrecondition);
  HttpClient client("127.0.0.1", server.port());
  Result<HttpResponse> r = client.Get("/");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->HasHeader("Content-Length"));
}

}  // namespace
}  // namespace pasip::http

// Shared machinery of the HTML pages (internal to src/web/): the Mustache renderer and the
// page layout, form fields with their error messages, and small request helpers.
//
// Templates live in src/web/templates/ and are embedded in the binary. Files whose name
// starts with '_' are partials, available to every template as {{> _name}}. Everything is
// escaped by Mustache; only {{{content}}} in the layout takes HTML built by a template.
// A Renderer is immutable after construction: thread-safe.
#pragma once

#include <kainjow/mustache.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/result.h"
#include "domain/identity/caller.h"
#include "domain/identity/policy.h"
#include "domain/services.h"
#include "http/message.h"
#include "web/web.h"

namespace pasip::web {

using Data = kainjow::mustache::data;

// Mustache values. An object's keys must all be set (to false when absent): a missing key
// would be looked up in the enclosing contexts.
Data Object();
Data List();
Data Text(std::string_view value);

// What the layout needs besides the page's own content.
struct Frame {
  std::string title;   // the page's h1, also the start of <title>
  std::string path;    // the request path, to mark the current navigation link
  std::string notice;  // a confirmation shown above the content, or empty
};

// The caller's unread in-app notifications, shown beside the "Notifications" navigation link;
// nullopt when unknown (the link is then shown without a count).
using UnreadCounter = std::function<std::optional<std::int64_t>(const identity::Principal&)>;

class Renderer {
 public:
  explicit Renderer(Options options, UnreadCounter unread = {})
      : options_(std::move(options)), unread_(std::move(unread)) {}

  // Renders templates/<name>.mustache. A missing or malformed template is a bug: throws
  // std::logic_error (the pipeline answers 500).
  std::string Render(std::string_view name, Data data) const;
  // The whole document: layout around `content`, with navigation for `caller` (may be null).
  std::string Document(const identity::Caller* caller, const Frame& frame,
                       std::string_view content) const;
  // Renders the page template with `data` (to which `csrf` is added) inside the layout.
  http::Response Page(int status, const identity::Caller& caller, const Frame& frame,
                      std::string_view template_name, Data data) const;

  const Options& options() const { return options_; }

 private:
  Options options_;
  UnreadCounter unread_;
};

// Errors of a submitted form: shown in a summary at the top (role="alert", with links to
// the fields) and next to each field.
class FormErrors {
 public:
  void Add(std::string field, std::string message);
  void Add(const Error& error) { Add(error.field, error.message); }
  bool empty() const { return errors_.empty(); }
  // The message for `field`, or empty.
  std::string For(std::string_view field) const;
  // {has_errors, errors: [{message, has_href, href}]} for the _errors partial.
  Data Summary() const;

 private:
  struct Entry {
    std::string field;
    std::string message;
  };
  std::vector<Entry> errors_;
};

// The id of a field's input: "f-<name>".
std::string FieldId(std::string_view name);

struct FieldSpec {
  std::string name = {};
  std::string label = {};
  std::string value = {};
  std::string type = "text";
  std::string autocomplete = {};  // empty: none
  std::string hint = {};          // shown under the label, linked by aria-describedby
  std::string inputmode = {};
  bool required = false;
  std::string id = {};  // empty: FieldId(name)
};
// Data for the _field partial.
Data Field(const FieldSpec& spec, const FormErrors& errors);

struct Option {
  std::string value = {};
  std::string label = {};
};
struct SelectSpec {
  std::string name = {};
  std::string label = {};
  std::vector<Option> options = {};
  std::vector<std::string> selected = {};
  std::string empty_label = {};  // a first option with value "" (e.g. "Choisir…"); empty: none
  std::string hint = {};
  bool required = false;
  bool multiple = false;
  std::string id = {};
};
// Data for the _select partial.
Data Select(const SelectSpec& spec, const FormErrors& errors);

// Data for the _checkbox partial (value "1").
Data Checkbox(std::string_view name, std::string_view label, bool checked);

// What every page handler shares.
struct PageContext {
  Services& services;
  Renderer renderer;
};

// The request's caller as set by the pipeline; an anonymous caller when none was set.
const identity::Caller& CallerOf(const http::Request& request);
bool Allowed(const identity::Caller& caller, identity::Action action);

// A local path (one leading '/', no "//", no backslash, no scheme, no control character)
// safe to redirect to after sign-in; nullopt otherwise.
std::optional<std::string> SafeReturnPath(std::string_view candidate);
// Percent-encodes a query component.
std::string UrlEncode(std::string_view value);
// A positive decimal id, or nullopt.
std::optional<std::int64_t> ParseId(std::string_view text);

// The HTTP status of a form re-rendered after `error` (the table of http/status.h: 422
// invalid input, 409 conflict or forbidden state, 401 bad credentials, 429 throttled).
int FormErrorStatus(const Error& error);
// True when `error` belongs on the form (shown to the person) rather than on an error page.
bool IsFormError(const Error& error);
// The error page for an error that is not about the form (404, 403, 503, 500).
http::Response ErrorResponse(const PageContext& context, const http::Request& request,
                             const Error& error);

// The answer to a form refused with `error`: when the error belongs on the form, `page(status,
// errors)` with `error` added to `errors` and its FormErrorStatus; otherwise the error page.
template <typename PageFunction>
http::Response FormFailure(const PageContext& context, const http::Request& request,
                           const Error& error, PageFunction page, FormErrors errors = {}) {
  if (!IsFormError(error)) return ErrorResponse(context, request, error);
  errors.Add(error);
  return page(FormErrorStatus(error), errors);
}

// The record named by the {id} path parameter: `find(id)` returns a Result<std::optional<T>>.
// NotFound(`missing`) when the id is malformed or names nothing.
template <typename T, typename FindFunction>
Result<T> FindByPathId(const http::Request& request, std::string_view missing, FindFunction find) {
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return Fail(NotFound(std::string(missing)));
  PASIP_ASSIGN_OR_RETURN(found, find(*id));
  if (!found) return Fail(NotFound(std::string(missing)));
  return std::move(*found);
}

// A redirect to the home page that also expires this browser's session cookie.
http::Response SignedOutRedirect(const PageContext& context);

// The search of a list page: the text typed in `q`, and the organisation chosen in
// `organisation_id` (as sent, to refill the form, and the id it names).
struct ListSearch {
  std::string text;
  std::string organisation;
  std::optional<std::int64_t> organisation_id;
};
ListSearch ListSearchOf(const http::Request& request);
// Data for the _select partial of the organisation filter ("Toutes les organisations").
Data OrganisationFilter(const ListSearch& search, std::vector<Option> organisations);

// An organisation offered in a form: its id, and its name marked when inactive.
Option OrganisationOption(const identity::Organisation& organisation);
// Sets `has_memberships` and `memberships` ([{organisation, role}]) for `user`'s roles.
void SetMemberships(Data& data, Services& services, const identity::User& user);

// The confirmation named by the `fait` query parameter after a redirect, or empty.
std::string NoticeFromQuery(const http::Request& request);

// "Paris" midnight at the start of `date` (YYYY-MM-DD), or nullopt.
std::optional<TimePoint> ParisMidnight(std::string_view date);

}  // namespace pasip::web

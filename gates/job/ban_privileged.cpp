#include "gates/job/ban_privileged.hpp"

#include <algorithm>
#include <cctype>

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {
namespace {

// "cap_sys_admin" and "SYS_ADMIN" name the same capability; Kubernetes wants the latter.
std::string capability_name(std::string_view cap) {
  std::string out(cap);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (out.rfind("CAP_", 0) == 0) out.erase(0, 4);
  return out;
}

}  // namespace

const GateInfo& BanPrivileged::info() const {
  static const GateInfo kInfo{
      "job.ban-privileged",
      "A migration Job must not run privileged containers or share the node's namespaces.",
      Category::kJob,
      Severity::kError,
      {{"allowed_capabilities", OptionSpec::Type::kStringList, "",
        "Capabilities containers may add (e.g. NET_BIND_SERVICE); ALL is never allowed."}}};
  return kInfo;
}

void BanPrivileged::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  std::vector<std::string> allowed;
  for (const auto& a : out.options().get_list("allowed_capabilities"))
    allowed.push_back(capability_name(a));

  for (const ContainerRef& ref : all_containers(job)) {
    const Container& c = *ref.container;
    const std::string sc = ref.path() + ".securityContext";
    if (c.privileged) {
      out.report(at_field(sc + ".privileged"),
                 job_title(job) + " runs container " + c.name +
                     " privileged: it gets every device and capability of the node.",
                 "Remove securityContext.privileged: a migration only needs a network connection to "
                 "PostgreSQL.");
    }
    if (c.allow_privilege_escalation.value_or(false)) {
      out.report(at_field(sc + ".allowPrivilegeEscalation"),
                 job_title(job) + " lets container " + c.name +
                     " gain privileges (allowPrivilegeEscalation: true): a setuid binary in the image can "
                     "become root.",
                 "Set securityContext.allowPrivilegeEscalation: false.");
    }
    std::vector<std::string> added;
    for (const auto& cap : c.added_capabilities) {
      std::string name = capability_name(cap);
      if (name != "ALL" && std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      added.push_back(name);
    }
    if (!added.empty()) {
      std::string list;
      for (const auto& a : added)
        list += (list.empty() ? "" : ", ") + a;
      out.report(at_field(sc + ".capabilities.add"),
                 job_title(job) + " adds capabilit" + (added.size() == 1 ? "y " : "ies ") + list +
                     " to container " + c.name + ": a migration needs none of them.",
                 "Remove them from securityContext.capabilities.add, or list one the image truly needs in "
                 "the gate's allowed_capabilities option.");
    }
  }
  const struct {
    bool on;
    const char* field;
    const char* what;
  } shared[] = {{job.host_network, "hostNetwork", "network"},
                {job.host_pid, "hostPID", "process"},
                {job.host_ipc, "hostIPC", "IPC"}};
  for (const auto& s : shared) {
    if (!s.on) continue;
    out.report(
        at_field(std::string("spec.template.spec.") + s.field),
        job_title(job) + " sets spec.template.spec." + s.field + ": true: its pod shares the node's " +
            s.what + " namespace.",
        std::string("Remove ") + s.field + ": a migration reaches PostgreSQL through the cluster network.");
  }
}

}  // namespace schemagate::gates::job

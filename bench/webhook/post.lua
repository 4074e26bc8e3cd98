-- wrk: POST the AdmissionReview in $BENCH_BODY to /validate.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.path = "/validate"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

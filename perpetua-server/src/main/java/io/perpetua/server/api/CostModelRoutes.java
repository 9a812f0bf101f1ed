package io.perpetua.server.api;

import io.javalin.http.Context;
import io.perpetua.costmodel.CostInputs;
import io.perpetua.costmodel.CostModel;
import io.perpetua.costmodel.PolicyCost;
import io.perpetua.costmodel.Trace;
import io.perpetua.error.InvalidInputException;
import io.perpetua.metering.Prices;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The cost model over HTTP: {@code POST /v1/cost-model} prices a fleet trace under the
 * ephemeral, persistent and perpetual policies with this host's measured costs and this
 * daemon's prices; {@code GET /v1/cost-model/trace} generates a synthetic trace as CSV.
 */
final class CostModelRoutes {

    private final Prices prices;
    private final JsonCodec json;

    CostModelRoutes(Prices prices, JsonCodec json) {
        this.prices = prices;
        this.json = json;
    }

    void register(RouteTable routes) {
        routes.post("/v1/cost-model", this::evaluate);
        routes.get("/v1/cost-model/trace", this::trace);
    }

    private void evaluate(Context ctx) {
        CostModelBody body = json.read(ctx.bodyAsBytes(), CostModelBody.class, null);
        Trace trace = body.toTrace();
        CostInputs inputs = body.toInputs(prices);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sessions", trace.sessions().size());
        answer.put("bursts", trace.sessions().stream().mapToInt(session -> session.bursts().size()).sum());
        answer.put("activeRatio", trace.activeRatio());
        answer.put("currency", prices.currency());
        answer.put("inputs", inputs(inputs));
        answer.put("policies", CostModel.evaluate(trace, inputs).stream().map(CostModelRoutes::view).toList());
        ctx.result(json.write(answer));
    }

    private void trace(Context ctx) {
        Double seed = number(ctx, "seed");
        CostModelBody.Generate generate = new CostModelBody.Generate(integer(ctx, "sessions"), number(ctx, "hours"),
                number(ctx, "activeRatio"), number(ctx, "meanBurstSeconds"), seed == null ? null : seed.longValue());
        ctx.contentType("text/csv; charset=utf-8").result(generate.toTrace().toCsv());
    }

    private static Double number(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double number = Double.parseDouble(value.strip());
            InvalidInputException.check(Double.isFinite(number), name, name + " must be a finite number");
            return number;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(name, name + " must be a number but was '"
                    + (value.length() > 32 ? value.substring(0, 32) + "…" : value) + "'");
        }
    }

    private static Integer integer(Context ctx, String name) {
        Double number = number(ctx, name);
        if (number == null) {
            return null;
        }
        InvalidInputException.check(number == Math.rint(number) && Math.abs(number) < 1e9, name, name + " must be a whole number");
        return number.intValue();
    }

    private static Map<String, Object> inputs(CostInputs inputs) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("cpus", inputs.cpus());
        view.put("memoryMb", inputs.memoryMb());
        view.put("storedBytes", inputs.storedBytes());
        view.put("idleTimeoutSeconds", inputs.idleTimeoutSeconds());
        view.put("hibernateAfterSeconds", inputs.hibernateAfterSeconds());
        view.put("resumeStandbySeconds", inputs.resumeStandbySeconds());
        view.put("resumeHibernatedSeconds", inputs.resumeHibernatedSeconds());
        view.put("rebuildSeconds", inputs.rebuildSeconds());
        view.put("createSeconds", inputs.createSeconds());
        return view;
    }

    private static Map<String, Object> view(PolicyCost cost) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("policy", cost.policy().name().toLowerCase(Locale.ROOT));
        view.put("runningSeconds", cost.runningSeconds());
        view.put("dormantSeconds", cost.dormantSeconds());
        view.put("vcpuSeconds", cost.vcpuSeconds());
        view.put("memoryGbSeconds", cost.memoryGbSeconds());
        view.put("storageGbSeconds", cost.storageGbSeconds());
        view.put("cost", Map.of("compute", cost.cost().compute(), "memory", cost.cost().memory(), "storage", cost.cost().storage(),
                "total", cost.cost().total()));
        view.put("rebuilds", cost.rebuilds());
        view.put("rebuildSeconds", cost.rebuildSeconds());
        view.put("resumes", cost.resumes());
        view.put("resumeSeconds", cost.resumeSeconds());
        return view;
    }
}

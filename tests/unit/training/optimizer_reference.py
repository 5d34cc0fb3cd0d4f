# Prints the reference values of optimizers_test.cc (float64, standard library only):
# dense(1, use_bias=false), mse, x = [[1, 2], [3, -1]], labels = [[1], [0]], kernel = [[0.5], [-0.25]], two steps.
import math
X = [[1.0, 2.0], [3.0, -1.0]]; Y = [1.0, 0.0]
def grad(w):
    n = len(X)
    r = [sum(X[i][j] * w[j] for j in range(2)) - Y[i] for i in range(n)]
    return [2.0 / n * sum(X[i][j] * r[i] for i in range(n)) for j in range(2)]
def run(update, steps=2):
    w = [0.5, -0.25]; state = {}
    for t in range(1, steps + 1):
        g = grad(w); w = update(w, g, state, t)
    return w, state
def sgd(lr, momentum=0.0):
    def u(w, g, s, t):
        if momentum == 0: return [w[j] - lr * g[j] for j in range(2)]
        m = s.get("m", [0.0, 0.0]); m = [momentum * m[j] - lr * g[j] for j in range(2)]; s["m"] = m
        return [w[j] + m[j] for j in range(2)]
    return u
def adam(lr, b1=0.9, b2=0.999, eps=1e-7, wd=0.0):
    def u(w, g, s, t):
        m = s.get("m", [0.0, 0.0]); v = s.get("v", [0.0, 0.0])
        m = [b1 * m[j] + (1 - b1) * g[j] for j in range(2)]
        v = [b2 * v[j] + (1 - b2) * g[j] ** 2 for j in range(2)]
        s["m"], s["v"] = m, v
        mh = [m[j] / (1 - b1 ** t) for j in range(2)]; vh = [v[j] / (1 - b2 ** t) for j in range(2)]
        return [w[j] - lr * wd * w[j] - lr * mh[j] / (math.sqrt(vh[j]) + eps) for j in range(2)]
    return u
def rmsprop(lr, rho=0.9, eps=1e-7):
    def u(w, g, s, t):
        v = s.get("v", [0.0, 0.0]); v = [rho * v[j] + (1 - rho) * g[j] ** 2 for j in range(2)]; s["v"] = v
        return [w[j] - lr * g[j] / math.sqrt(v[j] + eps) for j in range(2)]
    return u
print("grad0", grad([0.5, -0.25]))
for name, u in [("sgd", sgd(0.1)), ("sgd_momentum", sgd(0.1, 0.9)), ("adam", adam(0.1)),
                ("adamw", adam(0.1, wd=0.1)), ("rmsprop", rmsprop(0.1))]:
    w, s = run(u)
    print(name, ["%.9g" % x for x in w], {k: ["%.9g" % x for x in v] for k, v in s.items()})

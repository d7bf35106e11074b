/* geo_distance_m against published reference distances. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "geo/geodesic.h"
#include "harness.h"

static void near(double got, double want, double tol, const char *what)
{
    CHECKF(fabs(got - want) <= tol, "%s: got %.4f m, want %.4f m (±%g)", what, got, want, tol);
}

static double dms(int d, int m, double s)
{
    double v = abs(d) + m / 60.0 + s / 3600.0;
    return d < 0 ? -v : v;
}

int main(void)
{
    /* Geoscience Australia's worked example (Vincenty), Flinders Peak to Buninyong: 54 972.271 m.
     */
    near(geo_distance_m(dms(-37, 57, 3.72030), dms(144, 25, 29.52440), dms(-37, 39, 10.15610),
                        dms(143, 55, 35.38390)),
         54972.271, 0.001, "Flinders Peak - Buninyong");
    /* GeographicLib's GeodSolve documentation, JFK to LHR: 5 551 759.400 m. */
    near(geo_distance_m(40.6, -73.8, 51.6, -0.5), 5551759.400, 0.001, "JFK - LHR");
    /* Length of one degree of latitude: 110 574 m at the equator, 111 694 m at the pole. */
    near(geo_distance_m(-0.5, 105, 0.5, 105), 110574.4, 1.0, "1 degree at the equator");
    near(geo_distance_m(89, 0, 90, 0), 111693.9, 1.0, "1 degree at the pole");
    /* Symmetric, zero for the same point, and never negative. */
    double a = geo_distance_m(10.0123, 105.0891, 21.0285, 105.8542);
    near(geo_distance_m(21.0285, 105.8542, 10.0123, 105.0891), a, 1e-6, "symmetry");
    near(geo_distance_m(10.5, 104.5, 10.5, 104.5), 0, 0, "same point");
    CHECK(a > 1.2e6 && a < 1.3e6); /* Rạch Giá to Hà Nội is about 1 230 km */
    return harness_done();
}

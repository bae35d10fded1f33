using Billing.GrainInterfaces.Rating;
using Billing.Grains.Numbering;

namespace Billing.Tests.Rating;

public sealed class NumberClassifierTests
{
    // home DDD, dialled, expected type, mobile area, normalized, destination DDD, country code
    public static TheoryData<string, string, CallType, MobileArea, string, string?, string?> Valid => new()
    {
        // local fixo: 8 digits starting 2-5, with DDD, 0+DDD, 0+CSP+DDD, E.164
        { "11", "33334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "23456789", CallType.LocalFixo, MobileArea.None, "+551123456789", "11", null },
        { "11", "5555-1234", CallType.LocalFixo, MobileArea.None, "+551155551234", "11", null },
        { "21", "1133334444", CallType.LdnFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "1133334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "01133334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "0151133334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "+551133334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "551133334444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "11", "(11) 3333-4444", CallType.LocalFixo, MobileArea.None, "+551133334444", "11", null },
        { "48", "32223333", CallType.LocalFixo, MobileArea.None, "+554832223333", "48", null },
        { "61", "4433 2211", CallType.LocalFixo, MobileArea.None, "+556144332211", "61", null },
        // local móvel (VC1)
        { "11", "987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "11", "11987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "11", "011987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "11", "02111987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "11", "+5511987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "11", "5511987654321", CallType.LocalMovel, MobileArea.Vc1, "+5511987654321", "11", null },
        { "85", "9 8888-7777", CallType.LocalMovel, MobileArea.Vc1, "+5585988887777", "85", null },
        // LDN fixo
        { "11", "2133334444", CallType.LdnFixo, MobileArea.None, "+552133334444", "21", null },
        { "11", "02133334444", CallType.LdnFixo, MobileArea.None, "+552133334444", "21", null },
        { "11", "0412133334444", CallType.LdnFixo, MobileArea.None, "+552133334444", "21", null },
        { "11", "+552133334444", CallType.LdnFixo, MobileArea.None, "+552133334444", "21", null },
        { "11", "1933334444", CallType.LdnFixo, MobileArea.None, "+551933334444", "19", null },
        { "51", "0319932221111", CallType.LdnFixo, MobileArea.None, "+559932221111", "99", null },
        // LDN móvel: VC2 same first DDD digit, VC3 otherwise
        { "11", "19987654321", CallType.LdnMovel, MobileArea.Vc2, "+5519987654321", "19", null },
        { "11", "019987654321", CallType.LdnMovel, MobileArea.Vc2, "+5519987654321", "19", null },
        { "11", "01519987654321", CallType.LdnMovel, MobileArea.Vc2, "+5519987654321", "19", null },
        { "11", "21987654321", CallType.LdnMovel, MobileArea.Vc3, "+5521987654321", "21", null },
        { "11", "02121987654321", CallType.LdnMovel, MobileArea.Vc3, "+5521987654321", "21", null },
        { "11", "+5521987654321", CallType.LdnMovel, MobileArea.Vc3, "+5521987654321", "21", null },
        { "41", "43999998888", CallType.LdnMovel, MobileArea.Vc2, "+5543999998888", "43", null },
        { "41", "5521999998888", CallType.LdnMovel, MobileArea.Vc3, "+5521999998888", "21", null },
        // LDI: 00+CSP+country, E.164 with '+', or 12–15 digits without '+'
        { "11", "002114155552671", CallType.Ldi, MobileArea.None, "+14155552671", null, "1" },
        { "11", "+14155552671", CallType.Ldi, MobileArea.None, "+14155552671", null, "1" },
        { "11", "+447911123456", CallType.Ldi, MobileArea.None, "+447911123456", null, "44" },
        { "11", "0015447911123456", CallType.Ldi, MobileArea.None, "+447911123456", null, "44" },
        { "11", "447911123456", CallType.Ldi, MobileArea.None, "+447911123456", null, "44" },
        { "11", "+351912345678", CallType.Ldi, MobileArea.None, "+351912345678", null, "351" },
        { "11", "+5491123456789", CallType.Ldi, MobileArea.None, "+5491123456789", null, "54" },
        { "11", "+79161234567", CallType.Ldi, MobileArea.None, "+79161234567", null, "7" },
        { "11", "905321234567", CallType.Ldi, MobileArea.None, "+905321234567", null, "90" },
        { "11", "+1 (415) 555-2671", CallType.Ldi, MobileArea.None, "+14155552671", null, "1" },
        // 00 + CSP + 55 is still national
        { "11", "00215521987654321", CallType.LdnMovel, MobileArea.Vc3, "+5521987654321", "21", null },
        // gratuito, não geográfico, especial
        { "11", "08001234567", CallType.Gratuito, MobileArea.None, "+558001234567", null, null },
        { "11", "0800 723 0123", CallType.Gratuito, MobileArea.None, "+558007230123", null, null },
        { "11", "0800123456", CallType.Gratuito, MobileArea.None, "+55800123456", null, null },
        { "11", "+558001234567", CallType.Gratuito, MobileArea.None, "+558001234567", null, null },
        { "11", "+559001234567", CallType.Especial, MobileArea.None, "+559001234567", null, null },
        { "11", "03001234567", CallType.NaoGeografico, MobileArea.None, "+553001234567", null, null },
        { "11", "03031234567", CallType.NaoGeografico, MobileArea.None, "+553031234567", null, null },
        { "11", "05001234567", CallType.NaoGeografico, MobileArea.None, "+555001234567", null, null },
        { "11", "09001234567", CallType.Especial, MobileArea.None, "+559001234567", null, null },
        { "11", "40041234", CallType.NaoGeografico, MobileArea.None, "+551140041234", "11", null },
        { "21", "4003-1234", CallType.NaoGeografico, MobileArea.None, "+552140031234", "21", null },
        { "11", "30031234", CallType.NaoGeografico, MobileArea.None, "+551130031234", "11", null },
        { "11", "2140041234", CallType.NaoGeografico, MobileArea.None, "+552140041234", "21", null },
        // emergency / utility short codes
        { "11", "190", CallType.Emergencia, MobileArea.None, "190", null, null },
        { "11", "192", CallType.Emergencia, MobileArea.None, "192", null, null },
        { "11", "193", CallType.Emergencia, MobileArea.None, "193", null, null },
        { "27", "199", CallType.Emergencia, MobileArea.None, "199", null, null },
        { "11", "100", CallType.Emergencia, MobileArea.None, "100", null, null },
        { "11", "180", CallType.Emergencia, MobileArea.None, "180", null, null },
        // collect calls
        { "11", "90211133334444", CallType.ACobrar, MobileArea.None, "+551133334444", "11", null },
        { "11", "902121987654321", CallType.ACobrar, MobileArea.Vc3, "+5521987654321", "21", null },
        { "11", "909033334444", CallType.ACobrar, MobileArea.None, "+551133334444", "11", null },
        { "11", "9090987654321", CallType.ACobrar, MobileArea.Vc1, "+5511987654321", "11", null },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void WhenAValidNumberIsDialled_ThenItIsClassified(string home, string dialled, CallType type, MobileArea area,
        string normalized, string? ddd, string? country)
    {
        var r = NumberClassifier.Classify(home, dialled);
        Assert.True(r.IsValid, r.Reason);
        var c = r.Classification!;
        Assert.Equal(type, c.CallType);
        Assert.Equal(area, c.MobileArea);
        Assert.Equal(normalized, c.NormalizedNumber);
        Assert.Equal(ddd, c.DestinationDdd);
        Assert.Equal(country, c.CountryCode);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void WhenTheNormalizedNumberIsClassifiedAgain_ThenItIsTheSameDestination(string home, string dialled, CallType type, MobileArea area,
        string normalized, string? ddd, string? country)
    {
        _ = (dialled, ddd, country);
        var again = NumberClassifier.Classify(home, normalized).Classification;
        Assert.NotNull(again);
        Assert.Equal(normalized, again.NormalizedNumber);
        if (type != CallType.ACobrar) // a collect call's normalized number is its destination, dialled directly
        {
            Assert.Equal(type, again.CallType);
            Assert.Equal(area, again.MobileArea);
        }
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "11", "" },
        { "11", "   " },
        { "11", "abc" },
        { "11", "3333444a" },
        { "11", "3333*4444" },
        { "11", "33334444#" },
        { "11", "1+33334444" },
        { "11", "1234567" },          // 7 digits
        { "11", "12" },               // too short
        { "11", "1234" },             // 4 digits
        { "11", "63334444" },         // 8 digits starting 6: mobile without the ninth digit
        { "11", "13334444" },         // 8 digits starting 1
        { "11", "887654321" },        // 9 digits not starting 9
        { "11", "2033334444" },       // DDD 20 does not exist
        { "11", "1087654321" },       // DDD 10 does not exist
        { "11", "2387654321" },       // DDD 23 does not exist
        { "11", "25987654321" },      // DDD 25 does not exist
        { "11", "02533334444" },      // 0 + unknown DDD
        { "11", "0152533334444" },    // 0 + CSP + unknown DDD
        { "11", "00011441555526" },   // 00 + CSP starting with 0
        { "11", "0800123" },          // short 0800
        { "11", "080012345678" },     // long 0800
        { "11", "+55113333444" },     // +55 with 11 digits
        { "11", "+551133334444555" }, // +55 too long
        { "11", "+123456" },          // international too short
        { "11", "+1234567890123456" },// more than 15 digits
        { "11", "001" },              // 00 alone
        { "11", "0021" },             // 00 + CSP only
        { "11", "1234567890123456789012345678901234" }, // absurdly long
        { "00", "33334444" },         // invalid home DDD
        { "1", "33334444" },          // invalid home DDD
        { "ab", "33334444" },         // invalid home DDD
        { "11", "90213333444" },      // collect with the wrong length
        { "11", "902125987654321" },  // collect to an unknown DDD
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void WhenAnInvalidNumberIsDialled_ThenItIsAnInvalidDestinationWithAReason(string home, string dialled)
    {
        var r = NumberClassifier.Classify(home, dialled);
        Assert.False(r.IsValid, $"{dialled} foi classificado como {r.Classification}");
        Assert.False(string.IsNullOrWhiteSpace(r.Reason));
    }

    [Fact]
    public void WhenTheDddListIsShipped_ThenItHas67ValidCodes()
    {
        Assert.Equal(67, Ddds.All.Count);
        Assert.True(Ddds.IsValid("11"));
        Assert.True(Ddds.IsValid("99"));
        Assert.False(Ddds.IsValid("20"));
        Assert.False(Ddds.IsValid("52"));
    }

    [Fact]
    public void WhenACarrierCodeIsDialled_ThenTheCspIsReported()
    {
        var r = NumberClassifier.Classify("11", "0212133334444");
        Assert.Equal("21", r.Classification!.Csp);
        Assert.Equal("15", NumberClassifier.Classify("11", "0015447911123456").Classification!.Csp);
    }
}
